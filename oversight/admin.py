from django.contrib import admin

from oversight.admin_mixins import ReadOnlyAdminMixin
from oversight.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is written by oversight.audit.record alone (OV-1)."""

    list_display = ("seq", "created_at", "actor_label", "action", "target_type", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_label", "target_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_per_page = 100
    show_full_result_count = False
