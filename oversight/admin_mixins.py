"""OV-1 / BK-7 in Django admin. Admin writes nothing itself: each admin's save calls a
service, which validates, writes and audits with old and new values (STYLE), so a change
made in admin is audited exactly as the same change made anywhere else. Nothing is
hard-deleted (deactivate instead)."""

from __future__ import annotations

from django import forms

from meetingops.errors import ApplicationError


def refusal_show(form: forms.BaseForm, error: ApplicationError) -> None:
    """A service's refusal on the form: each field's messages under the field, and the
    message above the fields when it names none of the form's."""
    shown = False
    for field, messages in error.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            shown = True
    if not shown:
        form.add_error(None, error.detail)


class _RefusedForm:
    """Mixed into the admin's form class for the page that shows a refusal."""

    refusal: ApplicationError

    def clean(self):
        cleaned = super().clean()
        refusal_show(self, self.refusal)
        return cleaned


class ServiceAdminMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin) whose save_model calls a service.

    A refusal from the service (an ApplicationError) is shown on the form, as a form's
    own errors are, and nothing is saved: admin's transaction has rolled back, and the
    page is drawn again with the refusal added to the form's errors. Admin saves no
    many-to-many field itself (the service does), and offers no delete."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if request.method != "POST" or hasattr(request, "service_refusal"):
                raise
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "service_refusal", None)
        if refusal is None:
            return form
        return type(form)(form.__name__, (_RefusedForm, form), {"refusal": refusal})

    def save_related(self, request, form, formsets, change) -> None:
        # The service has written the many-to-many fields with the row (and audited them).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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
