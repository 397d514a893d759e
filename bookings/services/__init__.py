"""Every write of the booking domain (BK-1 to BK-8, OV-5). Pages, the API, admin and
tasks call these functions; none of them repeats a rule. One module per sub-domain:

- `requests`: an employee asks for a room (one meeting or a series);
- `decisions`: approvers approve (over the rules broken since, with a reason) or reject;
- `changes`: the organizer changes a booking (BK-5);
- `cancellation`: the organizer cancels (BK-6);
- `attendees`: the organizer adds people to a meeting and removes them;
- `policy`: versions of the usage policy;
- `rooms`: rooms and their status (maintenance, retired);
- `providers`: the providers that give meetings their links, and remote accounts;
- `remote_meetings`: a booking's meeting at Tencent Meeting or Zoom, made by the worker;
- `blackouts`: blackout periods;
- `suspensions`: suspended and removed booking rights (OV-5);
- `status`: the status machine of meetings, and the booking row's summary of them;
- `rows`: the rows every service writes alike (meetings, join information, the email
  queued on commit).

The public names are importable from here."""

from bookings.services.attendees import (
    AttendeesAdded,
    booking_attendee_remove,
    booking_attendees_add,
)
from bookings.services.blackouts import BLACKOUT_FIELDS, blackout_create, blackout_update
from bookings.services.cancellation import booking_cancel
from bookings.services.changes import MATERIAL_FIELDS, PLAIN_FIELDS, booking_change
from bookings.services.decisions import (
    ApprovalOverrideRequired,
    MeetingPasswordRequired,
    booking_approve,
    booking_reject,
    meeting_password_needed,
)
from bookings.services.policy import (
    POLICY_FIELDS,
    PolicyVersionOld,
    usage_policy_create,
    usage_policy_update,
)
from bookings.services.providers import PROVIDER_FIELDS, provider_create, provider_update
from bookings.services.remote_meetings import provider_meeting_retry
from bookings.services.requests import BookingRequested, booking_request, series_preview
from bookings.services.rooms import (
    ROOM_FIELDS,
    room_create,
    room_maintenance_end,
    room_maintenance_start,
    room_reinstate,
    room_retire,
    room_status_set,
    room_update,
)
from bookings.services.status import TRANSITIONS, booking_summary_refresh
from bookings.services.suspensions import (
    booking_suspension_check,
    booking_suspension_impose,
    booking_suspension_lift,
)
from bookings.validation import BookingInputError

__all__ = [
    "BLACKOUT_FIELDS",
    "MATERIAL_FIELDS",
    "PLAIN_FIELDS",
    "POLICY_FIELDS",
    "PROVIDER_FIELDS",
    "ROOM_FIELDS",
    "TRANSITIONS",
    "ApprovalOverrideRequired",
    "AttendeesAdded",
    "BookingInputError",
    "BookingRequested",
    "MeetingPasswordRequired",
    "PolicyVersionOld",
    "blackout_create",
    "blackout_update",
    "booking_approve",
    "booking_attendee_remove",
    "booking_attendees_add",
    "booking_cancel",
    "booking_change",
    "booking_reject",
    "booking_request",
    "booking_summary_refresh",
    "booking_suspension_check",
    "booking_suspension_impose",
    "booking_suspension_lift",
    "meeting_password_needed",
    "provider_create",
    "provider_meeting_retry",
    "provider_update",
    "room_create",
    "room_maintenance_end",
    "room_maintenance_start",
    "room_reinstate",
    "room_retire",
    "room_status_set",
    "room_update",
    "series_preview",
    "usage_policy_create",
    "usage_policy_update",
]
