from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import services
from core.models import Branch, JobRun, Notification, OutboxMail, User

# django-otp's own device page shows every device's secret key and QR code to any administrator;
# here a device is only ever reset, through the audited action on the user (issue 13).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["code", "name", "city"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "branch",
        "is_active",
        "group_names",
        "two_factor",
    ]
    list_filter = ["groups", "branch", "is_active", "is_superuser"]
    list_select_related = ["branch"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Bank"), {"fields": ("branch", "language", "phone")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Bank"), {"fields": ("branch", "language", "groups")}),
    )

    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(has_two_factor=Exists(devices))
        )

    @admin.display(description=_("roles"))
    def group_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    @admin.display(description=_("two-factor sign-in"), boolean=True)
    def two_factor(self, obj):
        return obj.has_two_factor

    @admin.action(description=_("Reset two-factor sign-in (a lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """The recovery for a lost authenticator: the user signs in by password again and may
        enrol anew; each reset is audited with the administrator as actor."""
        users = [user for user in queryset if user.has_two_factor]
        for user in users:
            services.two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user.",
                "Two-factor sign-in reset for %(count)d users.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


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
