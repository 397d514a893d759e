from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.db.models import BooleanField, Case, CharField, F, Q, Value, When
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from bookings import secrecy
from oversight.actions import ACTION_LABELS, action_label
from oversight.admin_mixins import ReadOnlyAdminMixin
from oversight.models import AuditEvent

BOOKING_TARGET = "bookings.booking"


class ActionFilter(admin.SimpleListFilter):
    """The log's actions by their translated labels (the codes are the values)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(
            ((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1]
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is written by oversight.audit.record alone (OV-1).

    SE-5: the log's readers (IT, the supervision team) may not see every meeting. An
    event about a booking whose details the reader may not read (`bookings.secrecy`)
    shows its action, actor and time, but not its label or its data: rows written
    before labels lost their business content carry the topic, and any event's data
    may hold a topic, an agenda or a reason. The search looks at the label only where
    the reader may read it (`visible_label`), so it never finds such an event by its
    topic. Nor does a filter in the address: Django admin lets one filter on any of the
    model's own fields (`?target_label__icontains=`), so those on the label and the data
    are refused."""

    list_display = (
        "seq",
        "created_at",
        "actor_label",
        "action_shown",
        "target_type",
        "target_shown",
    )
    list_filter = (ActionFilter, "target_type")
    search_fields = ("actor_label", "action", "visible_label", "target_id")
    search_help_text = _("Search by actor, action, target or target id.")
    date_hierarchy = "created_at"
    fields = (
        "seq",
        "created_at",
        "actor",
        "actor_label",
        "action_shown",
        "target_type",
        "target_id",
        "target_shown",
        "data_shown",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields
    list_per_page = 100
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split(LOOKUP_SEP)[0] in ("target_label", "data"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        if secrecy.oversees_bookings(request.user):  # sees every meeting: nothing to ask
            concealed = Value(False, output_field=BooleanField())
        else:
            # An event names its target by id, as text: the hidden bookings' ids as text.
            hidden = (
                secrecy.booking_list_with_details_hidden_from(request.user)
                .annotate(id_text=Cast("pk", output_field=CharField()))
                .values("id_text")
            )
            concealed = Case(
                When(Q(target_type=BOOKING_TARGET, target_id__in=hidden), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        return (
            super()
            .get_queryset(request)
            .annotate(concealed=concealed)
            .annotate(
                visible_label=Case(
                    When(concealed=True, then=Value("")),
                    default=F("target_label"),
                    output_field=CharField(),
                )
            )
        )

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, obj: AuditEvent) -> str:
        """The action's label in the reader's language; the code, as stored, beside it."""
        label = action_label(obj.action)
        return label if label == obj.action else f"{label} ({obj.action})"

    @admin.display(description=_("target"), ordering="visible_label")
    def target_shown(self, obj: AuditEvent) -> str:
        if obj.concealed:
            return _("#%(id)s (confidential meeting)") % {"id": obj.target_id}
        return obj.target_label

    @admin.display(description=_("data"))
    def data_shown(self, obj: AuditEvent):
        if obj.concealed:
            return _("Hidden: a confidential meeting you may not see.")
        return display_for_field(obj.data, AuditEvent._meta.get_field("data"), "-")
