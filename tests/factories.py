"""factory_boy factories for the tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from security import roles
from security.models import Department, User
from security.services import user_email_trust


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


DEFAULT_PASSWORD = "Correct-horse-42!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def trusted_email(self, create: bool, extracted, **kwargs) -> None:
        """As an administrator's account: the address counts as verified."""
        if create and extracted is not False:
            user_email_trust(user=self)

    @factory.post_generation
    def groups(self, create: bool, extracted, **kwargs) -> None:
        """UserFactory(groups=["Approvers"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


# Tests read the factory's password as UserFactory.PASSWORD (set after the class is made,
# so factory_boy does not take it for a model field).
UserFactory.PASSWORD = DEFAULT_PASSWORD


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Provider"
        django_get_or_create = ("name",)

    name = "Jitsi"
    kind = "jitsi"
    base_url = "https://meet.example.com"


class RoomFactory(factory.django.DjangoModelFactory):
    """A Jitsi room; RoomFactory(manual=True, join_url=...) is a room whose provider
    gives no link of its own, so every meeting in it gets the room's fixed one."""

    class Meta:
        model = "bookings.Room"

    class Params:
        manual = factory.Trait(
            provider=factory.SubFactory(ProviderFactory, name="Manual", kind="manual", base_url="")
        )

    name = factory.Sequence(lambda n: f"Room {n}")
    provider = factory.SubFactory(ProviderFactory)
    capacity = 20
    preparation_minutes = 0


WEDNESDAY = 2  # date.weekday()


def next_wednesday_at(hhmm: str) -> dt.datetime:
    """The first Wednesday at least two days ahead, at `hhmm` in company time: inside the
    default policy's notice, horizon and working hours (the Wednesday of the frozen
    booking week, 9 December 2026, when tests run at its Monday)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    ahead = (WEDNESDAY - today.weekday()) % 7
    if ahead < 2:
        ahead += 7
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(today + dt.timedelta(days=ahead), dt.time(hours, minutes), zone)


class BookingFactory(factory.django.DjangoModelFactory):
    """A request written by `booking_request`, as an employee's would be: its meetings,
    their copies of the topic and confidentiality, first_start, the audit and the
    policy version. BookingFactory(approved=True) is then approved by a new approver,
    BookingFactory(approved_by=approver) by the one given;
    `series` repeats it weekly four times; `with_invitee` invites a colleague. Only
    `create` makes sense (there is no booking without its meetings)."""

    class Meta:
        model = "bookings.Booking"

    class Params:
        approved = factory.Trait(
            approved_by=factory.SubFactory(UserFactory, is_staff=True, groups=[roles.APPROVERS])
        )
        series = factory.Trait(recurrence_rule={"freq": "weekly", "count": 4})
        with_invitee = factory.Trait(attendee_users=factory.List([factory.SubFactory(UserFactory)]))

    organizer = factory.SubFactory(UserFactory)
    room = factory.SubFactory(RoomFactory)
    start = factory.LazyFunction(lambda: next_wednesday_at("10:00"))
    end = factory.LazyAttribute(lambda booking: booking.start + dt.timedelta(hours=1))
    topic = factory.Sequence(lambda n: f"Meeting {n}")
    expected_headcount = 3
    confidential = False

    @classmethod
    def _create(cls, model_class, *args, approved_by=None, **kwargs):
        from bookings import services

        booking = services.booking_request(**kwargs).booking
        if approved_by is not None:
            services.booking_approve(booking=booking, actor=approved_by)
            booking.refresh_from_db()
        return booking

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A booking is written with its meetings: use BookingFactory(), not build.")


class BlackoutFactory(factory.django.DjangoModelFactory):
    """A blackout of one room (its own by default), or of every room with `all_rooms`;
    `ended` turns it off as an administrator ends one early."""

    class Meta:
        model = "bookings.Blackout"

    class Params:
        all_rooms = factory.Trait(room=None)
        ended = factory.Trait(is_active=False)

    room = factory.SubFactory(RoomFactory)
    start = factory.LazyFunction(lambda: next_wednesday_at("09:00"))
    end = factory.LazyAttribute(lambda blackout: blackout.start + dt.timedelta(hours=3))
    reason = "Network maintenance"
    is_active = True


class UsagePolicyFactory(factory.django.DjangoModelFactory):
    """The next policy version through `usage_policy_create`: the version in force with
    the values given changed (as an administrator's edit in admin). Traits: `strict`
    (two days' notice, an hour at most, two weeks ahead, 09:00-18:00), `with_quotas`
    (4 h a person and 20 h a department each week), `auto_approving` (small meetings
    confirmed without an approver)."""

    class Meta:
        model = "bookings.UsagePolicy"

    class Params:
        strict = factory.Trait(
            min_advance_hours=48,
            max_duration_minutes=60,
            horizon_days=14,
            workday_start=dt.time(9, 0),
            workday_end=dt.time(18, 0),
        )
        with_quotas = factory.Trait(user_weekly_quota_hours=4, department_weekly_quota_hours=20)
        auto_approving = factory.Trait(
            auto_approve=True, auto_approve_max_headcount=5, auto_approve_max_minutes=60
        )

    @classmethod
    def _create(cls, model_class, *args, created_by=None, **kwargs):
        from bookings.services import POLICY_FIELDS, usage_policy_create

        current = model_class.objects.order_by("-version").first()
        before = {name: getattr(current, name) for name in POLICY_FIELDS} if current else {}
        return usage_policy_create(actor=created_by, values={**before, **kwargs})


class SuspensionFactory(factory.django.DjangoModelFactory):
    """A suspension imposed by a supervisor through `booking_suspension_impose`: from now
    for a week by default; `removal` has no end (the right to book is removed);
    `lifted` is then lifted by the same supervisor."""

    class Meta:
        model = "bookings.BookingSuspension"

    class Params:
        removal = factory.Trait(end=None)
        lifted = factory.Trait(lift_reason="Appeal accepted")

    user = factory.SubFactory(UserFactory)
    imposed_by = factory.SubFactory(UserFactory, is_staff=True, groups=[roles.SUPERVISORS])
    reason = "Three no-shows in a month"
    end = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, imposed_by, lift_reason="", **kwargs):
        from bookings import services

        suspension = services.booking_suspension_impose(actor=imposed_by, **kwargs)
        if lift_reason:
            suspension = services.booking_suspension_lift(
                suspension=suspension, actor=imposed_by, reason=lift_reason
            )
        return suspension
