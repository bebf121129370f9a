from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Branch, JobRun, Notification, OutboxMail, User


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["code", "name", "city"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "branch", "is_active", "group_names"]
    list_filter = ["groups", "branch", "is_active", "is_superuser"]
    list_select_related = ["branch"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Bank"), {"fields": ("branch", "language", "phone")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Bank"), {"fields": ("branch", "language", "groups")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def group_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all())


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "level", "title", "read_at"]
    list_filter = ["level"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by jobs: looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(_ReadOnlyAdmin):
    list_display = ["job", "period", "outcome", "started_at", "finished_at", "attempts"]
    list_filter = ["job", "outcome"]
    search_fields = ["job", "period", "error"]


@admin.register(OutboxMail)
class OutboxMailAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["subject"]
