"""BK-17 / BK-2: rooms, providers and blackout periods. Every save goes through the
service for it (bookings.services), which validates, writes and audits."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from bookings import selectors
from bookings.models import (
    Blackout,
    Provider,
    Room,
)
from bookings.services import (
    BLACKOUT_FIELDS,
    PROVIDER_FIELDS,
    ROOM_FIELDS,
    blackout_create,
    blackout_update,
    provider_create,
    provider_update,
    room_create,
    room_status_set,
    room_update,
)
from meetingops.admin_display import LabelledDateTimesMixin, YesNoColumnsMixin
from oversight.admin_mixins import ServiceAdminMixin


def changed(form, fields) -> dict:
    """The form's values that differ from the row's, among the service's `fields`."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def given(form, fields) -> dict:
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}


def saved_as(obj, row) -> None:
    """Admin goes on (its history entry, the message, the redirect) with the row the
    service wrote."""
    obj.pk = row.pk
    obj.refresh_from_db()


@admin.register(Room)
class RoomAdmin(ServiceAdminMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "provider", "capacity", "features", "status", "maintenance_reason")
    list_filter = ("status", "provider")
    list_select_related = ("provider",)
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "provider", "capacity", "preparation_minutes")}),
        (
            _("Features"),
            {"fields": ("supports_recording", "supports_large_meeting", "allows_external_guests")},
        ),
        (
            _("Status"),
            {
                "description": _(
                    "A room under maintenance cannot be booked; say why. Bookings already "
                    "made are not cancelled automatically: ask their organizers to move them."
                ),
                "fields": ("status", "maintenance_reason"),
            },
        ),
        (
            _("Fixed meeting link (manual rooms)"),
            {"fields": ("join_url", "meeting_code", "meeting_password")},
        ),
    )

    @admin.display(description=_("features"))
    def features(self, obj: Room) -> str:
        on = [str(Room._meta.get_field(f).verbose_name) for f in Room.FEATURES if getattr(obj, f)]
        return ", ".join(on) if on else "–"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            saved_as(obj, room_create(actor=request.user, **given(form, (*ROOM_FIELDS, "status"))))
            return
        data = changed(form, ROOM_FIELDS)
        moved = "status" in form.changed_data
        if moved:
            # The reason goes with the move (room_maintenance_start, or cleared at its end).
            data.pop("maintenance_reason", None)
        room = room_update(room=obj, actor=request.user, data=data)
        if moved:
            room = room_status_set(
                room=room,
                actor=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data.get("maintenance_reason", ""),
            )
        saved_as(obj, room)


class ProviderForm(forms.ModelForm):
    """BK-17: the provider's secret is a write-only input: never rendered back, empty
    keeps the stored one."""

    secret = forms.CharField(
        label=_("secret (SecretKey / client secret)"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Tencent Meeting: the SecretKey; Zoom: the client secret. Stored encrypted and "
            "never shown again: leave empty to keep the one stored."
        ),
    )

    class Meta:
        model = Provider
        fields = ()  # admin's fieldsets name them (and its URL field overrides apply)

    def clean(self):
        data = super().clean()
        if data.get("secret"):
            # The model's own check (a remote provider needs its secret) sees it.
            self.instance.secret_set(data["secret"])
        return data


@admin.register(Provider)
class ProviderAdmin(YesNoColumnsMixin, ServiceAdminMixin, admin.ModelAdmin):
    form = ProviderForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "kind", "base_url", "host_user", "participant_cap", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("secret_stored",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "base_url", "is_active")}),
        (
            _("Account (Tencent Meeting, Zoom)"),
            {
                "description": _(
                    "Tencent Meeting: the enterprise app's AppId, SdkId and SecretId "
                    "(enterprise admin console, REST API). Zoom: the Server-to-Server OAuth "
                    "app's account ID and client ID."
                ),
                "fields": (
                    "app_id",
                    "sdk_id",
                    "secret_id",
                    "registered",
                    "account_id",
                    "client_id",
                    "host_user",
                    "participant_cap",
                ),
            },
        ),
        (_("Secret"), {"fields": ("secret", "secret_env", "secret_stored")}),
    )

    @method_decorator(sensitive_post_parameters("secret"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # An error report (a 500's email to the admins, the debug page) never carries
        # the secret typed in.
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("stored secret"))
    def secret_stored(self, obj: Provider | None) -> str:
        if obj is None or not obj.secret_encrypted:
            return _("None stored.")
        return _("A secret is stored (not shown).")

    def save_model(self, request, obj, form, change) -> None:
        secret = form.cleaned_data.get("secret", "")
        if change:
            row = provider_update(
                provider=obj,
                actor=request.user,
                data=changed(form, PROVIDER_FIELDS),
                secret=secret,
            )
        else:
            row = provider_create(actor=request.user, secret=secret, **given(form, PROVIDER_FIELDS))
        saved_as(obj, row)


@admin.register(Blackout)
class BlackoutAdmin(LabelledDateTimesMixin, YesNoColumnsMixin, ServiceAdminMixin, admin.ModelAdmin):
    """Blackout periods: no one can book then. Ended early by unticking "active"."""

    list_display = ("reason", "rooms", "start", "end", "is_active", "created_by")
    list_filter = ("is_active", "room")
    list_select_related = ("room", "created_by")
    search_fields = ("reason",)
    date_hierarchy = "start"
    fields = ("room", "start", "end", "reason", "is_active", "created_by")
    readonly_fields = ("created_by",)

    @admin.display(description=_("rooms"), ordering="room__name")
    def rooms(self, obj: Blackout) -> str:
        return str(obj.room) if obj.room_id else _("All rooms")

    def save_model(self, request, obj, form, change) -> None:
        if change:
            row = blackout_update(
                blackout=obj, actor=request.user, data=changed(form, BLACKOUT_FIELDS)
            )
        else:
            row = blackout_create(actor=request.user, **given(form, BLACKOUT_FIELDS))
        saved_as(obj, row)
        booked = selectors.blackout_booked_meetings(blackout=obj)
        if obj.is_active and booked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d booked meeting falls within this blackout period; it is not "
                    "cancelled automatically: ask its organizer to move or cancel it (the "
                    "bookings list's meeting date filter finds it).",
                    "%(count)d booked meetings fall within this blackout period; they are not "
                    "cancelled automatically: ask their organizers to move or cancel them "
                    "(the bookings list's meeting date filter finds them).",
                    booked,
                )
                % {"count": booked},
                level=messages.WARNING,
            )
