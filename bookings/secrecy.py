"""SE-5: what a person may see of a meeting, decided here and nowhere else.

A person sees a meeting in one of three ways (`Sight`):

- **all of it** (`details`): the topic, the agenda, the invitees. Every meeting that is
  not confidential is open to everyone who is let in; a confidential one is open to its
  organizer, its active invitees and those who oversee bookings (room administrators,
  approvers and the supervision team hold `bookings.view_booking`; a superuser holds
  every permission). An invitee removed from the meeting no longer sees it.
- **"busy" only**: the slot is taken, in that room, at that time, and nothing else: the
  week's calendar shows a confidential meeting so to everyone else who is signed in.
- **nothing**: someone not signed in sees no meeting at all; and a booking itself (its
  page, its record) is open only to its organizer, its invitees and those who oversee
  bookings (`booking_list_visible_to`), whatever its confidentiality.

On top of the details, what a viewer may read of one booking is `booking_access`: the
join link and password are for the organizer and the invitees of an approved meeting,
the external guests' addresses for the organizer alone (000 §3.2.2). What an email may
tell its recipient is `email_reveals`.

The rule is written once in Python (`sees_details`) and once more in each form a query
needs, each held to the same answers by tests/bookings/test_secrecy.py over every kind
of viewer:

- `details_visible_q(viewer)`, a Q over bookings, and `details_visible_expression`, the
  same as an annotation: for lists of bookings (the admin queue, the API's lists) that
  know for every row, in their one query, whether the viewer may read it;
- `details_hidden_among(...)`: the Python form for many meetings at once, from their
  copies of the booking's confidentiality and organizer (the week on SQLite);
- `details_hidden_sql(...)` with `details_hidden_sql_params(viewer)`: the SQL text of
  the mask, for raw SQL over meetings (the week on PostgreSQL).

Every door asks this module rather than restating the rule: the pages, the API, the
admin (the queue, and the audit log's pages, which hide a confidential meeting's events
from a reader who may not see it), the emails and their calendar entries, the calendar
feeds (`email_reveals` with kind "feed"), and the exports and reports still to come.
A new page that lists bookings starts from `booking_list_visible_to(viewer)` and
annotates `details_visible_expression(viewer)`, or filters with
`details_visible_q(viewer)`; one that shows a single booking asks
`can_see_details` or, with the booking fetched by the selectors, `booking_access`.
`bookings.permissions` keeps who may *do* what (approve, change, cancel).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from bookings.models import Attendee, Booking, Occurrence


class Sight(enum.Enum):
    """How much of a meeting a person sees."""

    DETAILS = "details"  # all of it: topic, agenda, invitees
    BUSY = "busy"  # that the slot is taken, nothing more
    NOTHING = "nothing"


def _signed_in(viewer) -> bool:
    return bool(viewer and viewer.is_authenticated)


def oversees_bookings(viewer) -> bool:
    """Room administrators, approvers and the supervision team read every booking."""
    return _signed_in(viewer) and viewer.has_perm("bookings.view_booking")


def sees_details(
    *, confidential: bool, is_organizer: bool, oversees: bool, is_invited: bool
) -> bool:
    """SE-5, the one statement of the rule: a confidential meeting's topic, agenda and
    invitees are for its organizer, its active invitees and those who oversee bookings;
    others see only that the slot is taken. Callers that decide for many bookings at
    once work out the facts in bulk and ask this."""
    return not confidential or is_organizer or oversees or is_invited


def active_invitations(viewer) -> QuerySet[Attendee]:
    """The viewer's invitations that still stand (an invitee removed from a meeting is
    no longer one). None for someone not signed in."""
    if not _signed_in(viewer):
        return Attendee.objects.none()
    return Attendee.objects.filter(user=viewer, is_active=True)


def can_see_details(viewer, booking: Booking) -> bool:
    """`sees_details` for one booking; the invitation is looked up only when nothing
    else decides."""
    signed_in = _signed_in(viewer)
    is_organizer = signed_in and booking.organizer_id == viewer.pk
    oversees = oversees_bookings(viewer)
    undecided = booking.confidential and not is_organizer and not oversees and signed_in
    return sees_details(
        confidential=booking.confidential,
        is_organizer=is_organizer,
        oversees=oversees,
        is_invited=undecided and active_invitations(viewer).filter(booking=booking).exists(),
    )


def meeting_sight(viewer, booking: Booking) -> Sight:
    """How much of `booking`'s meetings `viewer` sees on a calendar: all of it, that
    the slot is taken, or nothing when not signed in."""
    if not _signed_in(viewer):
        return Sight.NOTHING
    return Sight.DETAILS if can_see_details(viewer, booking) else Sight.BUSY


# -- the ORM form ------------------------------------------------------------------------


def details_visible_q(viewer, *, prefix: str = "") -> Q:
    """`sees_details` as a Q over bookings: the bookings whose details `viewer` may
    read. `prefix` reaches the booking from another model ("booking__" from a meeting or
    an invitee). Never an empty Q, so it may be negated and put in a When."""
    if not _signed_in(viewer):
        return Q(**{f"{prefix}confidential": False})
    if oversees_bookings(viewer):
        return Q(**{f"{prefix}pk__isnull": False})
    invited = Exists(active_invitations(viewer).filter(booking=OuterRef(f"{prefix}pk")))
    return Q(**{f"{prefix}confidential": False}) | Q(**{f"{prefix}organizer": viewer}) | Q(invited)


def details_visible_expression(viewer) -> Case | Value:
    """`details_visible_q` as a boolean annotation on bookings, so that a list knows for
    every row, in its one query, whether `viewer` may read the topic. For someone who
    oversees bookings it is the constant True: no subquery per row."""
    if oversees_bookings(viewer):
        return Value(True, output_field=BooleanField())
    return Case(
        When(details_visible_q(viewer), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def booking_list_with_details_hidden_from(viewer) -> QuerySet[Booking]:
    """The bookings whose details `viewer` may not read (the confidential ones the
    viewer neither organizes, nor is invited to, nor oversees), for records that name a
    booking only by its id, such as the audit log's events: use it as a subquery."""
    if oversees_bookings(viewer):
        return Booking.objects.none()
    return Booking.objects.filter(confidential=True).exclude(details_visible_q(viewer))


def booking_list_visible_to(viewer) -> QuerySet[Booking]:
    """The bookings `viewer` may open (a page, a record, the API's detail): every one
    for those who oversee bookings; otherwise those the viewer organizes or is an active
    invitee of; none for someone not signed in. What each shows is `booking_access`."""
    if not _signed_in(viewer):
        return Booking.objects.none()
    if oversees_bookings(viewer):
        return Booking.objects.all()
    return Booking.objects.filter(pk__in=organized_or_invited_ids(viewer))


def organized_or_invited_ids(viewer) -> QuerySet:
    """The ids of the bookings `viewer` organizes or is an active invitee of, as a
    subquery. A UNION, not `organizer = x OR id IN (...)`: PostgreSQL answers the OR
    with a scan of every booking (about 100 ms over a million), the UNION from the
    organizer and attendee indexes (about 5 ms, bench/pages.py)."""
    organized = Booking.objects.filter(organizer=viewer).order_by().values("pk")
    return organized.union(active_invitations(viewer).order_by().values("booking_id"))


# -- many meetings at once, in Python and in SQL ------------------------------------------


def details_hidden_among(
    meetings: Iterable[tuple[int, bool, int]],
    *,
    viewer,
    invited_booking_ids: Callable[[], Collection[int]],
) -> set[int]:
    """The ids of the bookings among `meetings` (booking id, confidential, organizer id:
    a meeting's copies of its booking's) whose details `viewer` may not read.
    `invited_booking_ids` gives the bookings the viewer is an active invitee of, built
    from `active_invitations(viewer)` and bounded as the caller's query can be; it is
    called once, and only when an invitation is all that is left to decide (someone not
    signed in has none: `active_invitations` asks no query for them)."""
    oversees = oversees_bookings(viewer)
    viewer_id = viewer.pk  # once: request.user is a lazy object, slow to ask 10,000 times
    undecided = {
        booking_id
        for booking_id, confidential, organizer_id in meetings
        # Only a confidential meeting can be hidden: the others are not asked.
        if confidential
        and not sees_details(
            confidential=confidential,
            is_organizer=organizer_id == viewer_id,
            oversees=oversees,
            is_invited=False,
        )
    }
    if not undecided:
        return undecided
    invited = set(invited_booking_ids())
    # Only an invitation is left to decide, and it shows the details.
    return {booking_id for booking_id in undecided if booking_id not in invited}


def details_hidden_sql(*, confidential: str, organizer_id: str, booking_id: str) -> str:
    """The SQL of the mask: a boolean, true where the viewer may not read the meeting's
    details. Its arguments are the caller's SQL for the meeting's confidentiality, its
    organizer's id and its booking's id (columns of the caller's query, "o.confidential"
    say). Its named parameters, `%(se5_viewer)s` and `%(se5_oversees)s`, come from
    `details_hidden_sql_params(viewer)`. A viewer not signed in has no id: the
    comparison is then unknown, which COALESCE reads as not invited."""
    # The arguments are SQL the code writes (column names), never input; the viewer
    # comes in as parameters.
    return (
        f"({confidential} AND NOT COALESCE("  # noqa: S608
        f"%(se5_oversees)s OR {organizer_id} = %(se5_viewer)s OR EXISTS ("
        f"SELECT 1 FROM {Attendee._meta.db_table} se5_a"
        f" WHERE se5_a.booking_id = {booking_id}"
        f" AND se5_a.user_id = %(se5_viewer)s AND se5_a.is_active"
        f"), FALSE))"
    )


def details_hidden_sql_params(viewer) -> dict[str, object]:
    """The parameters of `details_hidden_sql` for `viewer`."""
    return {
        "se5_viewer": viewer.pk if _signed_in(viewer) else None,
        "se5_oversees": oversees_bookings(viewer),
    }


# -- one booking -------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingAccess:
    details: bool  # topic, agenda, invitees (SE-5)
    join: bool  # link, meeting ID and password (SE-5): invitees of an approved meeting
    guest_emails: bool  # external guests' addresses: the organizer only (000 §3.2.2)


def booking_access(
    *,
    booking: Booking,
    viewer,
    occurrences: Iterable[Occurrence] | None = None,
    attendees: Iterable[Attendee] | None = None,
) -> BookingAccess:
    """What `viewer` may read of a booking: decided from its meetings and invitees,
    those given (the rows a service just wrote) or else those the selectors
    prefetched, so a list asks no query per booking."""
    occurrences = booking.occurrences.all() if occurrences is None else occurrences
    attendees = booking.attendees.all() if attendees is None else attendees
    signed_in = _signed_in(viewer)
    organizer = signed_in and booking.organizer_id == viewer.pk
    invited = signed_in and any(a.user_id == viewer.pk and a.is_active for a in attendees)
    # The permission lookup (two queries the first time) only when nothing else decides.
    undecided = booking.confidential and not organizer and not invited
    details = sees_details(
        confidential=booking.confidential,
        is_organizer=organizer,
        oversees=undecided and oversees_bookings(viewer),
        is_invited=invited,
    )
    # During a change (BK-5) the booking is pending again, but its approved meeting
    # still stands and its people still need the link.
    approved = any(o.status == Occurrence.Status.APPROVED for o in occurrences)
    return BookingAccess(
        details=details, join=(organizer or invited) and approved, guest_emails=organizer
    )


def sees_answers(*, viewer, booking: Booking) -> bool:
    """BK-11: who comes to a meeting, who may, who declines and why (their leave
    requests, 000 §2.3.1) and who has not answered are the organizer's to read."""
    return _signed_in(viewer) and booking.organizer_id == viewer.pk


# -- emails ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailReveals:
    """What one recipient's email (or calendar entry) may show of the meeting."""

    details: bool  # the topic (SE-5's details)
    reason: bool  # the decision's or the cancellation's reason, when there is one
    join_link: bool  # the meeting link, its meeting ID and password, when it has them
    colleague_emails: bool = False  # the colleagues invited, in a calendar entry
    guest_emails: bool = False  # the external guests invited: the organizer only


# The kinds whose email confirms a slot its reader will use: it carries the link, the
# meeting ID and the password (a moved meeting may have a new one, in another room).
# "invitation" is an invitee's (BK-10), "feed" a person's calendar feed.
_KINDS_WITH_LINK = frozenset({"approved", "change_approved", "invitation", "updated", "feed"})
# A calendar feed is fetched by the reader's calendar service (Google, Outlook.com,
# iCloud), outside the company, by whoever holds its address: a confidential meeting
# shows there only as a taken slot.
_LEAVES_THE_COMPANY = frozenset({"feed"})


def email_reveals(
    *,
    kind: str,
    confidential: bool,
    is_organizer: bool,
    is_invitee: bool = False,
    oversees: bool = False,
    is_external_guest: bool = False,
) -> EmailReveals:
    """SE-5 for email and calendar entries: what a recipient may read of a meeting in a
    `kind` email (bookings.notifications' kinds) or calendar feed ("feed"), from the
    recipient's facts.

    `is_invitee`: an active invitee, a colleague or an external guest. `oversees`: the
    recipient oversees bookings (`oversees_bookings`; the Approvers role does, an
    approver by a permission of their own to approve only does not). `is_external_guest`:
    invited by email, with no account; a guest is an invitee.

    - The details are for whoever SE-5 lets see them; anyone else told of a
      confidential meeting (an approver by their own permission, say) reads that a
      confidential meeting is concerned, with its room and times, as the week shows a
      taken slot. A calendar feed leaves the company: no confidential details there.
    - A cancellation's or a decision's reason is for everyone told of it who may read
      the details, except an approver's note on a change (`change_approved`), which is
      addressed to the organizer who asked, not to the people invited (who may be
      external guests).
    - The join information (link, meeting ID, password; SE-5: the password for the
      invitees only) is for the meeting's own people, the organizer and its invitees,
      in the emails that confirm a slot (the decision, an approved change, the
      invitation) and in their feed.
    - In a calendar entry's attendees, the colleagues' addresses are for the meeting's
      own people at the company; the external guests' addresses for the organizer
      alone (000 §3.2.2: no guest sees another's)."""
    details = sees_details(
        confidential=confidential,
        is_organizer=is_organizer,
        oversees=oversees,
        is_invited=is_invitee or is_external_guest,
    ) and not (confidential and kind in _LEAVES_THE_COMPANY)
    own = is_organizer or is_invitee or is_external_guest
    return EmailReveals(
        details=details,
        reason=details and (is_organizer or kind != "change_approved"),
        join_link=details and own and kind in _KINDS_WITH_LINK,
        colleague_emails=details and own and not is_external_guest,
        guest_emails=details and is_organizer,
    )


def reminder_reveals(
    *,
    confidential: bool,
    is_organizer: bool,
    is_participant: bool,
    meeting_approved: bool,
    oversees: bool = False,
) -> EmailReveals:
    """SE-5 for a reminder (BK-12), addressed to one participant of one meeting:
    `is_participant` an active participant (the organizer, a colleague or an external
    guest still invited). The details as `sees_details` lets the recipient see them;
    the join information (link, meeting ID and password, as `booking_access.join`) for
    the organizer and the participants of an approved meeting, like their invitation.
    A reminder has no reason to tell."""
    details = sees_details(
        confidential=confidential,
        is_organizer=is_organizer,
        oversees=oversees,
        is_invited=is_participant,
    )
    return EmailReveals(
        details=details,
        reason=False,
        join_link=details and (is_organizer or is_participant) and meeting_approved,
    )
