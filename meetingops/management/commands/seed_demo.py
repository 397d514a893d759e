"""Demo data for the embedded product: departments and one person per role.
Running it again changes nothing that exists (and never resets a changed password)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from security import roles
from security.models import Department, User
from security.services import user_create

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


class Command(BaseCommand):
    help = "Create demo departments and users (idempotent); prints the sign-in details."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            departments: dict[str, Department] = {}
            for code, name, parent in DEPARTMENTS:
                departments[code], _ = Department.objects.get_or_create(
                    code=code, defaults={"name": name, "parent": departments.get(parent)}
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

        self.stdout.write(self.style.MIGRATE_HEADING("Demo users (sign in at /accounts/login/):"))
        for email, password, groups, superuser in rows:
            role = "superuser" if superuser else (", ".join(groups) or "employee")
            self.stdout.write(f"  {email:<26} {password:<28} {role}")
