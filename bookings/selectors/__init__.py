"""Reads of the booking domain that are more than a `get` (DESIGN "Inside an app"), one
module per sub-domain:

- `attendance`: a meeting's sign-in, its window and its attendance list (BK-13);
- `availability`: free rooms for a slot, a room's free slots on a day, a series' preview;
- `home`: the home page's next meetings, requests and notices;
- `occupancy`: the week's calendar of every room;
- `meeting`: what a meeting's page shows besides the booking: its history;
- `mine`: My meetings, by where they stand, searched;
- `calendar`: the room finder's day of rooms x hours, a room's week, my week;
- `remote`: the bookings' meetings at Tencent Meeting and Zoom, for admin;
- `review`: the approvers' queue and what they need to decide a request (BK-4);
- `visibility`: the bookings a person may look at, fetched with what they show (what
  they may read of each is `bookings.secrecy`'s to decide, SE-5).

The public names are importable from here."""

from bookings.selectors.attendance import (
    AttendanceLine,
    MeetingAttendance,
    SignInState,
    attendance_for_admin,
    attendance_lines,
    may_see_attendance,
    participant_for_sign_in,
    sign_in_meeting,
    sign_in_state,
)
from bookings.selectors.availability import (
    ROOM_FEATURES,
    DaySlots,
    booking_first_bookable_start,
    free_slots_within,
    room_free_slots_on_day,
    room_get_listed,
    room_list_active,
    room_list_free_for_slot,
    rooms_narrowed,
    series_preview,
)
from bookings.selectors.calendar import (
    CalendarWindow,
    RoomFilters,
    calendar_for_day,
    calendar_for_my_week,
    calendar_for_room_week,
    provider_list_for_calendar,
)
from bookings.selectors.home import (
    HOME_LIST_SIZE,
    Countdown,
    HomeMeeting,
    HomeNotice,
    HomeRequest,
    countdown_to,
    home_meetings_next,
    home_notices,
    home_requests,
)
from bookings.selectors.meeting import (
    HistoryEntry,
    ProposedValue,
    booking_history,
    change_proposal,
    colleagues_by_email,
)
from bookings.selectors.mine import MINE_TABS, booking_list_mine
from bookings.selectors.occupancy import occupancy_for_week, occupancy_for_week_json
from bookings.selectors.remote import booking_provider_meetings, provider_meeting_list_for
from bookings.selectors.review import (
    RECORD_DAYS,
    REVIEW_ORDERING,
    OccurrenceConflicts,
    OrganizerRecord,
    RuleCheck,
    blackout_booked_meetings,
    booking_invitee_counts,
    booking_list_for_review,
    booking_pending_change,
    booking_pending_conflicts,
    booking_pending_occurrences,
    booking_pending_rule_check,
    organizer_record,
)
from bookings.selectors.visibility import (
    BookingAccess,
    BookingParts,
    booking_access,
    booking_details_visible_expression,
    booking_get_visible,
    booking_has_meeting_between,
    booking_list_for_user,
    booking_parts_prefetched,
    booking_parts_written,
)

__all__ = [
    "HOME_LIST_SIZE",
    "MINE_TABS",
    "RECORD_DAYS",
    "REVIEW_ORDERING",
    "ROOM_FEATURES",
    "AttendanceLine",
    "BookingAccess",
    "BookingParts",
    "CalendarWindow",
    "Countdown",
    "DaySlots",
    "HistoryEntry",
    "HomeMeeting",
    "HomeNotice",
    "HomeRequest",
    "MeetingAttendance",
    "OccurrenceConflicts",
    "OrganizerRecord",
    "ProposedValue",
    "RoomFilters",
    "RuleCheck",
    "SignInState",
    "attendance_for_admin",
    "attendance_lines",
    "blackout_booked_meetings",
    "booking_access",
    "booking_details_visible_expression",
    "booking_first_bookable_start",
    "booking_get_visible",
    "booking_has_meeting_between",
    "booking_history",
    "booking_invitee_counts",
    "booking_list_for_review",
    "booking_list_for_user",
    "booking_list_mine",
    "booking_parts_prefetched",
    "booking_parts_written",
    "booking_pending_change",
    "booking_pending_conflicts",
    "booking_pending_occurrences",
    "booking_pending_rule_check",
    "booking_provider_meetings",
    "calendar_for_day",
    "calendar_for_my_week",
    "calendar_for_room_week",
    "change_proposal",
    "colleagues_by_email",
    "countdown_to",
    "free_slots_within",
    "home_meetings_next",
    "home_notices",
    "home_requests",
    "may_see_attendance",
    "occupancy_for_week",
    "occupancy_for_week_json",
    "organizer_record",
    "participant_for_sign_in",
    "provider_list_for_calendar",
    "provider_meeting_list_for",
    "room_free_slots_on_day",
    "room_get_listed",
    "room_list_active",
    "room_list_free_for_slot",
    "rooms_narrowed",
    "series_preview",
    "sign_in_meeting",
    "sign_in_state",
]
