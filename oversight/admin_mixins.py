"""OV-1 / BK-7 in Django admin: every change made through admin is audited with its old
and new values, and nothing is hard-deleted (deactivate instead)."""

from __future__ import annotations

from typing import Any

from django.db import models

from oversight import audit


def is_secret(field_name: str) -> bool:
    """Fields recorded as changed but whose values never enter the log (password,
    password1, password2, usable_password, a future api_token...)."""
    return any(word in field_name for word in ("password", "secret", "token", "key"))


def plain(value: Any) -> Any:
    """A form value as JSON: model instances by their pk and label."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((plain(v) for v in value), key=str)
    return value


def form_changes(form) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        if is_secret(name):
            changes[name] = "changed"
            continue
        old = form.initial.get(name)
        field = form.fields.get(name)
        if field is not None and hasattr(field, "queryset") and old is not None:
            # ModelChoiceField initial values are pks; show them as the new values are.
            pks = old if isinstance(old, list | tuple) else [old]
            objs = list(
                field.queryset.model._default_manager.filter(
                    pk__in=[getattr(pk, "pk", pk) for pk in pks]
                )
            )
            old = objs if isinstance(old, list | tuple) else (objs[0] if objs else None)
        changes[name] = {"old": plain(old), "new": plain(form.cleaned_data.get(name))}
    return changes


class AuditedModelAdmin:
    """Mix into a ModelAdmin (before admin.ModelAdmin)."""

    def save_related(self, request, form, formsets, change) -> None:
        # After save_model and the many-to-many fields: the object is complete here.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        action = f"{obj._meta.model_name}.{'changed' if change else 'created'}"
        changes = form_changes(form)
        if change and not changes:
            return
        audit.record(actor=request.user, action=action, target=obj, data={"changes": changes})

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdminMixin:
    """For records written only by services (the audit log, emails sent, a booking's
    meetings): admin shows them; nobody adds, edits or deletes them by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
