"""The booking domain (BK-1 to BK-9, BK-17).

A Booking is the request — one meeting or a series; its Occurrence rows are the slots,
each with its own status. A single meeting is a booking with one occurrence. A room is
occupied from `start - preparation minutes` to `end` (half-open) by pending and approved
occurrences; on PostgreSQL an exclusion constraint (migration 0002) guarantees that no
two occurrences of different bookings occupy one room at once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Provider(models.Model):
    """BK-17: where a room's meetings happen; gives an approved meeting its join link."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Manual link")
        JITSI = "jitsi", _("Jitsi")
        TENCENT = "tencent", _("Tencent Meeting")
        ZOOM = "zoom", _("Zoom")

    name = models.CharField(pgettext_lazy("provider", "name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    base_url = models.URLField(
        _("base URL"), blank=True, help_text=_("Jitsi: the server, e.g. https://meet.jit.si")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # BK-17: a Tencent Meeting enterprise app (REST API v1, AK/SK) or a Zoom
    # Server-to-Server OAuth app. The secret (Tencent's SecretKey, Zoom's client
    # secret) is either stored encrypted (`secret_encrypted`, meetingops.crypto) or read
    # from the environment variable named by `secret_env`; it is never shown back,
    # logged or audited (`credentials()` is the one reader).
    app_id = models.CharField(_("AppId"), max_length=100, blank=True)
    sdk_id = models.CharField(_("SdkId"), max_length=100, blank=True)
    secret_id = models.CharField(_("SecretId"), max_length=200, blank=True)
    registered = models.BooleanField(
        _("address book users (X-TC-Registered)"),
        default=False,
        help_text=_("Tencent Meeting: the enterprise uses its address book (X-TC-Registered: 1)."),
    )
    account_id = models.CharField(_("account ID"), max_length=100, blank=True)
    client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    host_user = models.CharField(
        _("host user"),
        max_length=200,
        blank=True,
        help_text=_(
            "Tencent Meeting: the host's userid in the enterprise; Zoom: the host's user ID "
            "or email. Meetings are scheduled in this user's name."
        ),
    )
    participant_cap = models.PositiveIntegerField(
        _("licensed participant cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The most participants the licence admits; no room is booked above it."),
    )
    secret_env = models.CharField(
        _("secret from environment variable"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z_][A-Z0-9_]*$",
                _("An environment variable's name: capital letters, digits and underscores."),
            )
        ],
        help_text=_(
            "The name of an environment variable holding the secret (for example "
            "TENCENT_SECRET_KEY), set for the web and worker processes. When given, a "
            "secret entered here is not used."
        ),
    )
    secret_encrypted = models.TextField(_("stored secret (encrypted)"), blank=True, editable=False)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # What each remote kind needs, besides its secret (BK-17).
    REQUIRED = {
        "tencent": ("app_id", "secret_id", "host_user"),
        "zoom": ("account_id", "client_id", "host_user"),
    }

    def clean(self) -> None:
        if self.kind == self.Kind.JITSI and not self.base_url:
            raise ValidationError({"base_url": _("A Jitsi provider needs its server's URL.")})
        errors = {}
        for name in self.REQUIRED.get(self.kind, ()):
            if not getattr(self, name).strip():
                errors[name] = _("%(kind)s needs this.") % {"kind": self.get_kind_display()}
        if self.kind in self.REQUIRED and not (self.secret_env or self.secret_encrypted):
            errors["secret_env"] = _(
                "Enter the secret, or the name of the environment variable that holds it."
            )
        if self.participant_cap and self.pk:
            over = list(
                self.rooms.filter(capacity__gt=self.participant_cap).values_list("name", flat=True)
            )
            if over:
                errors["participant_cap"] = _(
                    "These rooms hold more people than this cap: %(rooms)s. Lower their "
                    "capacity first."
                ) % {"rooms": ", ".join(over)}
        if errors:
            raise ValidationError(errors)

    def secret_set(self, plain: str) -> None:
        """Store `plain` encrypted (not saved here)."""
        from meetingops.crypto import encrypt

        self.secret_encrypted = encrypt(plain) if plain else ""

    def secret(self) -> str:
        """The secret in clear, from the environment or the stored one; "" when there
        is none. Raises meetingops.crypto.SecretUnreadable for a stored secret no key
        decrypts. Never log or show what it returns."""
        import os

        from meetingops.crypto import decrypt

        if self.secret_env:
            return os.environ.get(self.secret_env, "")
        return decrypt(self.secret_encrypted) if self.secret_encrypted else ""

    def credentials(self) -> dict:
        """What the provider's REST client signs its calls with (bookings.remote):
        Tencent Meeting: app_id, sdk_id, secret_id, secret_key, userid (the host),
        registered; Zoom: account_id, client_id, client_secret, user_id (the host).
        Both also carry `host_user`. Contains the secret: never log or show it."""
        if self.kind == self.Kind.TENCENT:
            return {
                "app_id": self.app_id,
                "sdk_id": self.sdk_id,
                "secret_id": self.secret_id,
                "secret_key": self.secret(),
                "userid": self.host_user,
                "host_user": self.host_user,
                "registered": self.registered,
            }
        if self.kind == self.Kind.ZOOM:
            return {
                "account_id": self.account_id,
                "client_id": self.client_id,
                "client_secret": self.secret(),
                "user_id": self.host_user,
                "host_user": self.host_user,
            }
        return {}


class Room(models.Model):
    """A licensed virtual meeting room: one meeting at a time (BK-3)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("Under maintenance")
        RETIRED = "retired", _("Retired")

    # "name" alone is a person's name in Chinese (姓名); a room's is 名称.
    name = models.CharField(pgettext_lazy("room", "name"), max_length=100, unique=True)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="rooms"
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    supports_recording = models.BooleanField(_("recording"), default=False)
    supports_large_meeting = models.BooleanField(_("large meeting"), default=False)
    allows_external_guests = models.BooleanField(_("external guests allowed"), default=False)
    preparation_minutes = models.PositiveIntegerField(
        _("preparation time (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    maintenance_reason = models.CharField(_("maintenance reason"), max_length=255, blank=True)
    # Manual rooms: the room's fixed link, meeting ID and password.
    join_url = models.URLField(_("meeting link"), blank=True)
    meeting_code = models.CharField(_("meeting ID"), max_length=64, blank=True)
    meeting_password = models.CharField(_("meeting password"), max_length=64, blank=True)

    FEATURES = ("supports_recording", "supports_large_meeting", "allows_external_guests")

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="maintenance") | ~Q(maintenance_reason=""),
                name="room_maintenance_has_reason",
                violation_error_message=_("Say why the room is under maintenance."),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        # The database requires a reason too (room_maintenance_has_reason); here it is
        # said at the field, and a reason of blanks does not count.
        if self.status == self.Status.MAINTENANCE and not self.maintenance_reason.strip():
            raise ValidationError(
                {"maintenance_reason": _("Say why the room is under maintenance.")}
            )
        # BK-17: a room never holds more people than its provider's licence admits.
        cap = self.provider.participant_cap if self.provider_id else None
        if cap and self.capacity and self.capacity > cap:
            raise ValidationError(
                {
                    "capacity": _("%(provider)s's licence admits at most %(cap)s participants.")
                    % {"provider": self.provider.name, "cap": cap}
                }
            )

    @property
    def preparation(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.preparation_minutes)


class UsagePolicy(models.Model):
    """BK-2: the usage rules (使用规范). Versioned: saving in admin adds a new version,
    and the highest version is the one in force. 0 means "no limit" for quotas."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    min_advance_hours = models.PositiveIntegerField(_("minimum advance notice (hours)"), default=24)
    max_duration_minutes = models.PositiveIntegerField(
        _("maximum duration (minutes)"), default=240, validators=[MinValueValidator(15)]
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"), default=90, validators=[MinValueValidator(1)]
    )
    workday_start = models.TimeField(_("working hours start"), default=dt.time(8, 0))
    workday_end = models.TimeField(_("working hours end"), default=dt.time(20, 0))
    allowed_weekdays = models.CharField(
        _("allowed weekdays"),
        max_length=20,
        default="1,2,3,4,5",
        help_text=_("ISO weekdays, 1 = Monday … 7 = Sunday, comma-separated."),
    )
    user_weekly_quota_hours = models.PositiveIntegerField(
        _("weekly hours per person"), default=0, help_text=_("0 = no limit")
    )
    department_weekly_quota_hours = models.PositiveIntegerField(
        _("weekly hours per department"), default=0, help_text=_("0 = no limit")
    )
    auto_approve = models.BooleanField(
        _("auto-approve low-risk requests"),
        default=False,
        help_text=_("Small, non-confidential, within quota and the limits below."),
    )
    auto_approve_max_headcount = models.PositiveIntegerField(
        _("auto-approve up to this headcount"), default=10
    )
    auto_approve_max_minutes = models.PositiveIntegerField(
        _("auto-approve up to this duration (minutes)"), default=60
    )
    reminder_lead_minutes = models.CharField(
        _("reminder lead times (minutes)"),
        max_length=100,
        default="1440,15",
        help_text=_("Comma-separated, e.g. 1440,15 = a day and a quarter of an hour before."),
    )
    sign_in_opens_minutes = models.PositiveIntegerField(
        _("sign-in opens (minutes before start)"), default=15
    )
    no_show_grace_minutes = models.PositiveIntegerField(
        _("no-show grace (minutes after start)"), default=10
    )
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("cancellation deadline (hours before start)"),
        default=2,
        help_text=_("Cancelling later than this counts as a late cancellation."),
    )

    class Meta:
        verbose_name = _("usage policy")
        verbose_name_plural = _("usage policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_start__lt=F("workday_end")),
                name="policy_workday_start_before_end",
                violation_error_message=_("Working hours must start before they end."),
            ),
        ]

    def __str__(self) -> str:
        return _("Usage policy v%(version)s") % {"version": self.version}

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.allowed_weekdays.split(",") if d.strip())

    @property
    def has_quotas(self) -> bool:
        return bool(self.user_weekly_quota_hours or self.department_weekly_quota_hours)

    @property
    def reminder_leads(self) -> list[int]:
        return sorted({int(m) for m in self.reminder_lead_minutes.split(",") if m.strip()})

    def clean(self) -> None:
        super().clean()
        try:
            days = {int(d) for d in self.allowed_weekdays.split(",") if d.strip()}
        except ValueError:
            days = {0}
        if not days or not days <= set(range(1, 8)):
            raise ValidationError(
                {"allowed_weekdays": _("List weekdays as numbers 1 (Monday) to 7 (Sunday).")}
            )
        try:
            leads = [int(m) for m in self.reminder_lead_minutes.split(",") if m.strip()]
        except ValueError:
            leads = [-1]
        if any(m <= 0 for m in leads):
            raise ValidationError(
                {"reminder_lead_minutes": _("List reminder lead times as positive minutes.")}
            )


class Blackout(models.Model):
    """A period no one can book (不可预约时段): maintenance, holidays. Per room, or for
    every room when `room` is empty. Ended early by setting `is_active` off, never deleted."""

    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blackouts",
        help_text=_("Empty: all rooms."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="blackout_start_before_end",
                violation_error_message=_("A blackout must start before it ends."),
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class BookingStatus(models.TextChoices):
    """Where a booking stands, and each of its meetings: a meeting has these and one of
    its own (`Occurrence.Status.SUPERSEDED`); the booking's sums up its meetings'
    (services.booking_summary_refresh)."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


OccurrenceStatus = models.TextChoices(
    "OccurrenceStatus",
    [
        *((status.name, (status.value, status.label)) for status in BookingStatus),
        # Replaced by an approved change (BK-5): the new slot took over.
        ("SUPERSEDED", ("superseded", _("Replaced by a change"))),
    ],
    module=__name__,
)


# BK-4: the approvers' queue order. Pending requests first, the one whose first pending
# meeting starts soonest on top; then the others, latest first. The admin's queue and
# selectors.booking_list_for_review sort by it, and the `booking_queue_idx` index holds
# it, so that the database reads the queue in its order: its first page is fifty rows of
# the index however many bookings there are.
BOOKING_QUEUE_ORDER = (
    Case(
        When(status=BookingStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=models.IntegerField(),
    ),
    F("first_pending_start").asc(),  # set exactly for the pending: no NULLs to place
    F("first_start").desc(),
    F("id").desc(),
)


class Booking(models.Model):
    """BK-1: the request — one meeting, or a series of them (BK-8)."""

    Status = BookingStatus

    class Mode(models.TextChoices):
        VIDEO = "video", _("Video meeting")
        VOICE = "voice", _("Voice meeting")
        SCREEN_SHARE = "screen_share", _("Screen sharing")

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="organized_bookings",
    )
    # The organizer's department when booking: department quotas count by it.
    department = models.ForeignKey(
        "security.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings"
    )
    topic = models.CharField(_("topic"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    mode = models.CharField(_("meeting mode"), max_length=20, choices=Mode.choices, default="video")
    expected_headcount = models.PositiveIntegerField(
        _("headcount"), validators=[MinValueValidator(1)]
    )
    recording_allowed = models.BooleanField(_("recording allowed"), default=False)
    chat_allowed = models.BooleanField(_("chat allowed"), default=True)
    password_required = models.BooleanField(_("password required"), default=False)
    confidential = models.BooleanField(_("confidential"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # BK-8: the series rule as given ({"freq": "weekly", "interval": 1, "weekdays": [1, 3],
    # "until": "2026-12-31", "count": null}); empty for a single meeting.
    recurrence = models.JSONField(_("recurrence"), default=dict, blank=True)
    # BK-17: filled by the room's provider when the booking is approved.
    join_url = models.URLField(_("meeting link"), blank=True, max_length=500)
    meeting_code = models.CharField(_("meeting ID"), max_length=64, blank=True)
    meeting_password = models.CharField(_("meeting password"), max_length=64, blank=True)
    policy_version = models.PositiveIntegerField(_("usage policy version"), null=True, blank=True)
    # BK-12: the meeting's own reminder lead times ("1440,15"); empty: the usage policy's.
    reminder_lead_minutes = models.CharField(
        _("reminder lead times (minutes)"),
        max_length=100,
        blank=True,
        help_text=_("Comma-separated, e.g. 1440,15. Empty: the usage policy's."),
    )
    # BK-10: the iCalendar SEQUENCE of the booking's invitations, raised by every update
    # or cancellation sent, so calendars take the newest one.
    ical_sequence = models.PositiveIntegerField(_("invitation sequence"), default=0, editable=False)
    # BK-4's queue order, kept from the occurrences by services.booking_summary_refresh:
    # the first meeting not replaced by a change, and, while the booking is pending, its
    # first meeting awaiting a decision (its first meeting, when a change moves none).
    first_start = models.DateTimeField(_("first meeting"), editable=False)
    first_pending_start = models.DateTimeField(
        _("first meeting awaiting a decision"), null=True, editable=False
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        permissions = [("approve_booking", _("Can approve or reject booking requests"))]
        indexes = [models.Index(*BOOKING_QUEUE_ORDER, name="booking_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_headcount__gte=1), name="booking_headcount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_series(self) -> bool:
        return bool(self.recurrence)


class Occurrence(models.Model):
    """One slot of a booking, with its own status (DESIGN "Bookings")."""

    Status = OccurrenceStatus

    # The meetings that hold their room (BK-3): what conflicts, availability and the
    # exclusion constraint count.
    OCCUPYING = (Status.PENDING, Status.APPROVED)

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="occurrences"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="occurrences"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # start - the room's preparation time, fixed when the slot is taken.
    occupied_from = models.DateTimeField(_("occupied from"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # BK-5: a pending occurrence proposed by a change replaces this approved one. A
    # rejected proposal keeps pointing at it, so the organizer can propose again: only
    # one live (pending or approved) replacement each (`occurrence_replaced_once`).
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    late_cancellation = models.BooleanField(_("late cancellation"), default=False)
    # Copies of the booking's topic, confidentiality and organizer, so that a week's
    # calendar (thousands of meetings, BK-9) reads this table alone rather than look up
    # a booking per meeting. Only `bookings.services` writes them, with the booking
    # (`_new_occurrences`, `_booking_save`); tests hold them equal to the booking's.
    topic = models.CharField(_("topic"), max_length=200, default="", editable=False)
    confidential = models.BooleanField(_("confidential"), default=False, editable=False)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["room", "occupied_from", "end"], name="occ_room_range_idx"),
            models.Index(fields=["status", "start"], name="occ_status_start_idx"),
            # A booking's meetings by start: its next one (My meetings orders by it) is
            # then the first entry, where the planner otherwise sorted every booking's
            # meetings (1.7 s for a person with a thousand bookings, bench/pages.py).
            models.Index(fields=["booking", "start"], name="occ_booking_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="occurrence_start_before_end",
                violation_error_message=_("A meeting must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(occupied_from__lte=F("start")),
                name="occurrence_prep_before_start",
            ),
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(status__in=["pending", "approved"]),
                name="occurrence_replaced_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking} @ {self.start:%Y-%m-%d %H:%M}"


class BookingChange(models.Model):
    """BK-5: a change to an approved booking, waiting for a decision. Its occurrences
    (`Occurrence.replaces`) hold the new slots; the old ones stay held until then."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="changes"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # The booking's fields as they will be once approved ({"expected_headcount": 12, ...}).
    proposed = models.JSONField(_("proposed values"), default=dict)
    previous = models.JSONField(_("previous values"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("booking change")
        verbose_name_plural = _("booking changes")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status="pending"),
                name="one_pending_change_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking} ({self.get_status_display()})"


class Attendee(models.Model):
    """BK-1: an internal user or an external guest (by email) invited to a booking."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    email = models.EmailField(_("external guest email"), blank=True)
    is_active = models.BooleanField(_("invited"), default=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email=""))
                | (Q(user__isnull=True) & ~Q(email="")),
                name="attendee_user_xor_email",
            ),
            models.UniqueConstraint(
                fields=["booking", "user"],
                condition=Q(user__isnull=False),
                name="attendee_user_once",
            ),
            models.UniqueConstraint(
                fields=["booking", "email"], condition=~Q(email=""), name="attendee_email_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else self.email


class NotificationDelivery(models.Model):
    """X-3: one email of a booking notification. A notification (`key`: the Celery task
    id, which a retry or a redelivery keeps) writes a row per recipient, then claims,
    sends and marks each (`sent_at`), so a retry after recipient 3 of 5 failed does not
    mail 1 and 2 again, and two runs at once do not both mail anyone. A record of what
    people were told: never deleted."""

    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="notification_deliveries",
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("notification ID"), max_length=255, editable=False)
    email = models.EmailField(_("email address"))
    # Empty for an external guest.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    # Empty until the mail server took it: still to send, or given up on (X-3 reports it).
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification email")
        verbose_name_plural = _("notification emails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "email"], name="notification_sent_once"),
        ]
        # The home page's notices: a person's newest emails (bookings.selectors.home).
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email}"


class BookingSuspension(models.Model):
    """BK-2 / OV-5: a user's right to book suspended (暂停使用) from `start` until `end`,
    or removed (取消使用权限) when `end` is empty. While one is in force the user cannot
    request a meeting or move one; what they booked before is left to the approvers.
    Lifted early by `lifted_at`, never deleted; imposing and lifting are audited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="booking_suspensions",
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: the right to book is removed.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imposed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imposed at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("booking suspension")
        verbose_name_plural = _("booking suspensions")
        ordering = ["-start"]
        indexes = [models.Index(fields=["user", "start"], name="suspension_user_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__lt=F("end")),
                name="suspension_start_before_end",
                violation_error_message=_("A suspension must start before it ends."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def in_force_at(self, moment: dt.datetime) -> bool:
        return (
            self.lifted_at is None
            and self.start <= moment
            and (self.end is None or moment < self.end)
        )


class Participant(models.Model):
    """BK-10 to BK-13: one person's part in one approved meeting: its organizer, or an
    invitee (a colleague, or an external guest by email), with their answer (accept,
    tentative, decline with a reason), their sign-in and their attendance as the
    provider reported it. Written by `bookings.services.participants` when meetings are
    approved, moved, cancelled and when people are invited or removed; never deleted
    (`is_active` off when the person is no longer invited)."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        COLLEAGUE = "colleague", _("Colleague")
        GUEST = "guest", _("External guest")

    class Response(models.TextChoices):
        NEEDS_ACTION = "needs_action", _("Not answered")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Tentative")
        DECLINED = "declined", _("Declined")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not known yet")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        ABSENT = "absent", _("Absent")

    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    # The occurrence's booking, copied so that a person's meetings read one table.
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="participants",
        editable=False,
    )
    # Empty for the organizer, who is no Attendee row.
    attendee = models.ForeignKey(
        Attendee,
        verbose_name=_("attendee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
    )
    # Empty for an external guest.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("invited"), default=True)
    response = models.CharField(
        _("answer"), max_length=20, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    response_reason = models.TextField(_("reason"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    # Where the sign-in came from: "page", "api", "link".
    sign_in_via = models.CharField(_("signed in from"), max_length=20, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True, default=""
    )
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["occurrence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=Q(user__isnull=False),
                name="participant_user_once",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "email"],
                condition=Q(user__isnull=True),
                name="participant_guest_once",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "occurrence"], name="participant_user_idx"),
            models.Index(fields=["booking", "occurrence"], name="participant_booking_idx"),
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else self.email


class Reminder(models.Model):
    """BK-12: one reminder of one meeting for one participant at one lead time. Created
    when the meeting is approved (or the person invited), moved with an approved change,
    voided on a cancellation or a decline; claimed by the worker every minute and
    marked `sent_at` in the same transaction as the claim, so it is sent once."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    occurrence = models.ForeignKey(
        Occurrence, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="reminders"
    )
    lead_minutes = models.PositiveIntegerField(_("minutes before the start"))
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "lead_minutes"],
                condition=Q(sent_at__isnull=True, voided_at__isnull=True),
                name="reminder_pending_once",
            ),
        ]
        indexes = [
            # The worker's claim: the due rows still to send, oldest first.
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, voided_at__isnull=True),
                name="reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} −{self.lead_minutes} min"


class AttendanceReport(models.Model):
    """BK-13: a meeting's attendance, reconciled once after it ended
    (`bookings.services.attendance`): from the remote provider's participant list
    merged with the sign-ins, or from the sign-ins alone (a room with no remote
    provider, a no-show, or a provider that could not be reached). The participants'
    rows carry each person's result; this row says where it came from and keeps the
    provider's records that matched nobody invited (counted, never guessed at). Its
    one row per meeting (a one-to-one key) is what keeps two workers from
    reconciling a meeting twice. Never changed afterwards."""

    class Source(models.TextChoices):
        PROVIDER = "provider", _("The provider's participant list and the sign-ins")
        SIGN_IN = "sign_in", _("The sign-ins")
        PROVIDER_FAILED = "provider_failed", _("The sign-ins (the provider could not be reached)")

    occurrence = models.OneToOneField(
        Occurrence,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="attendance_report",
    )
    source = models.CharField(_("from"), max_length=20, choices=Source.choices)
    reconciled_at = models.DateTimeField(_("reconciled at"))
    # The provider's stays of people who match no participant, merged per name:
    # [{"name": ..., "minutes": ..., "joined_at": ..., "left_at": ...}].
    unknown_joiners = models.JSONField(_("unknown joiners"), default=list, blank=True)
    provider_error = models.CharField(_("provider error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attendance report")
        verbose_name_plural = _("attendance reports")

    def __str__(self) -> str:
        return f"attendance of occurrence #{self.occurrence_id}"


class ProviderMeeting(models.Model):
    """BK-17: a booking's meeting at a remote provider (Tencent Meeting, Zoom), and the
    work the worker still owes it. Approving, moving or cancelling a booking in such a
    room writes here, inside its transaction, what is wanted (`action`); the worker
    (`bookings.remote_meetings.provider_meeting_sync`) calls the provider after the
    commit, records each attempt, and retries transient failures with backoff. A
    failure that retrying cannot fix (or retries used up) leaves the row `failed`, shown
    in admin, with the organizer and IT told once; the booking stays approved without
    a link until a retry succeeds. A booking moved to another provider's room gets a new
    row; the old one is cancelled. Never deleted; `last_error` never holds a secret."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the provider")
        # "Created" alone is a column's label elsewhere (创建时间): here, a state.
        CREATED = "created", pgettext_lazy("provider meeting state", "Created")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Action(models.TextChoices):
        NONE = "", _("Nothing")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        CANCEL = "cancel", _("Cancel")

    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="provider_meetings",
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="meetings"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    # What the worker must do next; with `occurrence_cancels`, one meeting of a series
    # to cancel at the provider (their starts, ISO 8601 in UTC).
    action = models.CharField(
        _("next action"), max_length=20, choices=Action.choices, blank=True, default=""
    )
    occurrence_cancels = models.JSONField(_("meetings to cancel"), default=list, blank=True)
    # Raised by every new wish, so the worker knows whether one came while it called out.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    remote_id = models.CharField(_("provider's meeting ID"), max_length=100, blank=True)
    remote_uuid = models.CharField(_("provider's meeting UUID"), max_length=200, blank=True)
    remote_code = models.CharField(_("meeting ID"), max_length=64, blank=True)
    join_url = models.URLField(_("meeting link"), blank=True, max_length=500)
    # The meeting's password, chosen once so that a retry asks for the same one.
    password = models.CharField(_("meeting password"), max_length=64, blank=True)
    occurrence_keys = models.JSONField(_("provider's keys of the meetings"), default=dict)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker's claim on the row while it calls the provider: a twin delivery of the
    # task waits for it to pass rather than create the meeting twice.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("provider meeting")
        verbose_name_plural = _("provider meetings")
        ordering = ["-updated_at", "-pk"]
        permissions = [("retry_providermeeting", _("Can retry a provider's meeting"))]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "provider"],
                condition=~Q(state="cancelled"),
                name="provider_meeting_live_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="provider_meeting_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} #{self.pk}"
