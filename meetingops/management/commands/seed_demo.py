"""Demo data for the embedded product: departments and one person per role.
Running it again changes nothing that exists (and never resets a changed password)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, Provider, Room
from bookings.services import provider_create, room_create
from meetingops.errors import ApplicationError
from security import roles
from security.models import Department, User
from security.services import department_create, user_create

# Demo accounts only (the embedded product prints it); real accounts are made by admins.
DEMO_PASSWORD = "MeetingOps-demo-2026!"  # noqa: S105

DEPARTMENTS = [
    # code, name, parent code
    ("hq", "总部 Headquarters", None),
    ("it", "信息技术部 IT Department", "hq"),
    ("admin", "行政部 Administration", "hq"),
    ("sales", "销售部 Sales", "hq"),
    ("rnd", "研发部 Research & Development", "hq"),
]

PEOPLE = [
    # email, name, department, groups, staff, superuser
    ("admin@example.com", "系统管理员 Admin", "it", (), True, True),
    ("approver@example.com", "审核员 Approver Liu", "admin", (roles.APPROVERS,), True, False),
    ("it@example.com", "IT 支持 Zhou", "it", (roles.IT, roles.TRAINERS), True, False),
    ("supervisor@example.com", "监督员 Sun", "admin", (roles.SUPERVISORS,), True, False),
    ("wang.wei@example.com", "王伟 Wang Wei", "sales", (), False, False),
    ("li.na@example.com", "李娜 Li Na", "sales", (), False, False),
    ("zhang.min@example.com", "张敏 Zhang Min", "rnd", (), False, False),
    ("chen.jie@example.com", "陈杰 Chen Jie", "rnd", (), False, False),
]


ROOMS = [
    # name, provider, capacity, recording, large, external guests, preparation minutes
    ("腾讯会议 A Tencent A", "manual", 25, True, False, True, 10),
    ("腾讯会议 B Tencent B", "manual", 10, False, False, False, 0),
    ("Zoom 大会议室 Zoom Large", "manual", 300, True, True, True, 30),
    ("Jitsi 1", "jitsi", 50, False, False, True, 5),
]


def _next_weekday(days_ahead: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


class Command(BaseCommand):
    help = "Create demo departments and users (idempotent); prints the sign-in details."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            departments: dict[str, Department] = {}
            for code, name, parent in DEPARTMENTS:
                departments[code] = Department.objects.filter(
                    code=code
                ).first() or department_create(
                    actor=None, name=name, code=code, parent=departments.get(parent)
                )
            rows = []
            for email, name, dept, groups, staff, superuser in PEOPLE:
                if User.objects.filter(email=email).exists():
                    rows.append((email, "(exists: password unchanged)", groups, superuser))
                    continue
                user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    actor=None,
                    name=name,
                    department=departments[dept],
                    groups=groups,
                    is_staff=staff,
                    is_superuser=superuser,
                )
                rows.append((email, DEMO_PASSWORD, groups, superuser))

            rooms = self._rooms()
        if not Booking.objects.exists():
            try:
                with transaction.atomic():
                    self._bookings(rooms)
            except ApplicationError as error:
                # The usage policy in force may forbid the sample slots; users matter more.
                self.stderr.write(f"Demo bookings skipped: {error.detail}")

        self.stdout.write(self.style.MIGRATE_HEADING("Demo users (sign in at /accounts/login/):"))
        for email, password, groups, superuser in rows:
            role = "superuser" if superuser else (", ".join(groups) or "employee")
            self.stdout.write(f"  {email:<26} {password:<28} {role}")

    def _rooms(self) -> list[Room]:
        """The demo providers and rooms, created through the services once (the system
        is the actor); a second run finds them by name."""
        providers = {
            "manual": self._provider(name="手动链接 Manual link", kind=Provider.Kind.MANUAL),
            "jitsi": self._provider(
                name="Jitsi", kind=Provider.Kind.JITSI, base_url="https://meet.jit.si"
            ),
        }
        rooms = []
        for index, (name, kind, capacity, rec, large, guests, prep) in enumerate(ROOMS, 1):
            room = Room.objects.filter(name=name).first() or room_create(
                actor=None,
                name=name,
                provider=providers[kind],
                capacity=capacity,
                supports_recording=rec,
                supports_large_meeting=large,
                allows_external_guests=guests,
                preparation_minutes=prep,
                join_url=f"https://meeting.example.com/room-{index}" if kind == "manual" else "",
                meeting_code=f"800 100 {index:03d}" if kind == "manual" else "",
            )
            rooms.append(room)
        return rooms

    @staticmethod
    def _provider(*, name: str, kind: str, base_url: str = "") -> Provider:
        return Provider.objects.filter(name=name).first() or provider_create(
            actor=None, name=name, kind=kind, base_url=base_url
        )

    def _bookings(self, rooms: list[Room]) -> None:
        """A few requests in different states, two working days ahead and later."""
        people = {u.email: u for u in User.objects.all()}
        approver = people["approver@example.com"]
        day = _next_weekday(2)
        later = _next_weekday(3)
        confirmed = booking_services.booking_request(
            organizer=people["wang.wei@example.com"],
            room=rooms[0],
            start=_at(day, 10),
            end=_at(day, 11),
            topic="销售周例会 Weekly sales meeting",
            expected_headcount=8,
            attendee_users=[people["li.na@example.com"]],
        ).booking
        booking_services.booking_approve(booking=confirmed, actor=approver, note="")
        booking_services.booking_request(
            organizer=people["zhang.min@example.com"],
            room=rooms[3],
            start=_at(day, 14),
            end=_at(
                day,
                15,
            ),
            topic="研发评审 Design review",
            expected_headcount=5,
        )
        booking_services.booking_request(
            organizer=people["chen.jie@example.com"],
            room=rooms[0],
            start=_at(later, 9),
            end=_at(later, 10),
            topic="预算讨论 Budget talk",
            expected_headcount=4,
            confidential=True,
        )
        booking_services.booking_request(
            organizer=people["li.na@example.com"],
            room=rooms[1],
            start=_at(day, 16),
            end=_at(day, 17),
            topic="客户沟通 Customer call",
            expected_headcount=3,
            recurrence_rule={"freq": "weekly", "count": 4},
            skip_unavailable=True,
        )
