from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetingops.errors import ApplicationError
from oversight import audit
from oversight.admin_mixins import AuditedModelAdmin
from security.models import ApiToken, Department, User
from security.services import user_create, user_email_trust
from security.tokens import api_token_revoke

REVOKE_PERMISSION = "security.change_apitoken"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "department")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "department", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "department")
    list_select_related = ("department",)
    search_fields = ("email", "name")
    ordering = ("email",)
    autocomplete_fields = ("department",)
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "department", "time_zone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "department",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            self._create(request, obj, form)
            return
        super().save_model(request, obj, form, change)
        if "email" in form.changed_data:
            user_email_trust(user=obj)

    def _create(self, request, obj: User, form) -> None:
        """An account opened in admin is opened by `user_create`, as everywhere else:
        the same password handling, trusted address and audit entry, inside admin's
        transaction. The form has validated everything the service checks."""
        usable = form.cleaned_data["set_usable_password"]
        created = user_create(
            email=obj.email,
            password=form.cleaned_data["password1"] if usable else None,
            actor=request.user,
            name=obj.name,
            department=obj.department,
        )
        # Admin goes on (related fields, its LogEntry, the redirect) with the saved row.
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        if change:
            super().save_related(request, form, formsets, change)
            return
        # user_create has audited the new account already: skip AuditedModelAdmin's
        # entry, which would record it a second time and in another shape.
        super(AuditedModelAdmin, self).save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        # Audited when the password really changed, in the same transaction: Django's
        # view also redirects when it refuses conflicting form data.
        before = User.objects.filter(pk=id).values_list("password", flat=True).first()
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if request.method == "POST" and user is not None and user.password != before:
                audit.record(actor=request.user, action="user.password_set_by_admin", target=user)
        return response


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "parent", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


class ApiTokenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("revoked", _("Revoked")))

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin, admin.ModelAdmin):
    """X-1: IT sees every personal API token and may revoke them. Tokens are made only by
    their owners on the security page, so there is no add; never deleted (the audit names
    them); nothing is edited here. The secret's hash is never shown."""

    list_display = ("name", "user", "prefix_shown", "created_at", "last_used_at", "revoked_at")
    list_filter = (ApiTokenStatusFilter,)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__name", "name", "prefix")
    search_help_text = _("Search by the owner's name or email, or the token's name or prefix.")
    fields = ("user", "name", "prefix_shown", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_add_permission(self, request) -> bool:
        return False  # made by their owners, who alone see the secret

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # viewing only: revoking is the action below (the service)

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm(REVOKE_PERMISSION)

    @admin.display(description=_("prefix"), ordering="prefix")
    def prefix_shown(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.action(permissions=["revoke"], description=_("Revoke selected tokens"))
    def revoke_selected(self, request, queryset) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(token=token, actor=request.user)
            except ApplicationError as error:
                self.message_user(
                    request,
                    _("%(token)s: %(error)s") % {"token": token, "error": error.detail},
                    level=messages.ERROR,
                )
            else:
                revoked += 1
        if not revoked:
            self.message_user(
                request,
                _("None of the selected tokens was active: nothing was revoked."),
                level=messages.WARNING,
            )
            return
        self.message_user(
            request,
            ngettext("Revoked %(count)d API token.", "Revoked %(count)d API tokens.", revoked)
            % {"count": revoked},
            level=messages.SUCCESS,
        )
