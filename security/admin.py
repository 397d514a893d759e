"""Users, departments and API tokens in admin. Every save goes through the service for
it (security.services), which validates, writes and audits; nothing is deleted."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from meetingops.admin_display import YesNoColumnsMixin
from meetingops.errors import ApplicationError
from oversight.admin_mixins import ServiceAdminMixin
from security.calendar_feeds import calendar_feed_revoke
from security.models import ApiToken, CalendarFeed, Department, User
from security.roles import role_label
from security.services import (
    DEPARTMENT_FIELDS,
    USER_FIELDS,
    department_create,
    department_update,
    user_create,
    user_password_set,
    user_update,
)
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


class RoleFilter(admin.SimpleListFilter):
    """Users by group, each named by its role's translated label."""

    title = _("role")
    parameter_name = "groups__id__exact"

    def lookups(self, request, model_admin):
        return [(str(pk), role_label(name)) for pk, name in Group.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__id=self.value())
        return queryset


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """The roles (security.roles), listed by their labels in the reader's language."""

    list_display = ("role", "name")

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj: Group) -> str:
        return role_label(obj.name)


@admin.register(User)
class UserAdmin(YesNoColumnsMixin, ServiceAdminMixin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "department", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", RoleFilter, "department")
    list_select_related = ("department",)
    search_fields = ("email", "name")
    ordering = ("email",)
    autocomplete_fields = ("department",)
    readonly_fields = ("last_login", "date_joined", "password_changed_at")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: role_label(group.name)
        return field

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
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in USER_FIELDS}
        user_update(user=obj, actor=request.user, data=data)
        obj.refresh_from_db()

    def _create(self, request, obj: User, form) -> None:
        """An account opened in admin is opened by `user_create`, as everywhere else:
        the same password handling, trusted address and audit entry."""
        usable = form.cleaned_data["set_usable_password"]
        created = user_create(
            email=obj.email,
            password=form.cleaned_data["password1"] if usable else None,
            actor=request.user,
            name=obj.name,
            department=obj.department,
        )
        # Admin goes on (its history entry, the redirect) with the saved row.
        obj.pk = created.pk
        obj.refresh_from_db()

    def user_change_password(self, request, id, form_url=""):
        """SE-2: the password an administrator sets is set by `user_password_set` (the
        site's password validators, an audit entry without the password). Django's view
        draws the page, and answers a form it refuses or conflicting buttons."""
        user = self.get_object(request, unquote(id))
        if (
            request.method != "POST"
            or user is None
            or not self.has_change_permission(request, user)
        ):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data["set_usable_password"]
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)
        try:
            user = user_password_set(
                user=user,
                actor=request.user,
                password=form.cleaned_data["password1"] if usable else None,
            )
        except ApplicationError as refusal:
            self.message_user(request, refusal.detail, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        self.log_change(request, user, self.construct_change_message(request, form, None))
        self.message_user(
            request,
            gettext("Password changed successfully.")
            if usable
            else gettext("Password-based authentication was disabled."),
            level=messages.SUCCESS,
        )
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{user._meta.app_label}_{user._meta.model_name}_change",
                args=(user.pk,),
            )
        )


@admin.register(Department)
class DepartmentAdmin(YesNoColumnsMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "parent", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            data = {n: form.cleaned_data[n] for n in form.changed_data if n in DEPARTMENT_FIELDS}
            department_update(department=obj, actor=request.user, data=data)
        else:
            created = department_create(
                actor=request.user,
                **{n: form.cleaned_data[n] for n in DEPARTMENT_FIELDS if n in form.cleaned_data},
            )
            obj.pk = created.pk
        obj.refresh_from_db()


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
class ApiTokenAdmin(admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # never deleted: the audit names them

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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """BK-10: IT sees who has a calendar feed and may stop one (a leaked address). Made
    by their owners only; never deleted; the address itself is not shown here."""

    list_display = ("user", "created_at", "changed_at", "revoked_at")
    list_filter = (ApiTokenStatusFilter,)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__name")
    search_help_text = _("Search by the owner's name or email.")
    fields = ("user", "created_at", "changed_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("security.change_calendarfeed")

    @admin.action(permissions=["revoke"], description=_("Stop the selected calendar feeds"))
    def revoke_selected(self, request, queryset) -> None:
        stopped = 0
        for feed in queryset.filter(revoked_at__isnull=True).select_related("user"):
            calendar_feed_revoke(user=feed.user, actor=request.user)
            stopped += 1
        self.message_user(
            request,
            ngettext("%(n)s calendar feed stopped.", "%(n)s calendar feeds stopped.", stopped)
            % {"n": stopped},
        )
