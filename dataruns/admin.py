from django.contrib import admin

from core.admin_site import ReadOnlyAdmin
from dataruns.models import IntakeFile, IntakeRun, NightRun


class IntakeFileInline(admin.TabularInline):
    model = IntakeFile
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IntakeRun)
class IntakeRunAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "outcome", "started_at", "seconds", "moved_to"]
    list_filter = ["outcome"]
    inlines = [IntakeFileInline]


@admin.register(NightRun)
class NightRunAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "trigger", "status", "requested_by", "changes", "finished_at"]
    list_filter = ["status", "trigger"]
