from django.contrib import admin

from dataruns.models import IntakeFile, IntakeRun, NightRun


class ReadOnly(admin.ModelAdmin):
    """Data runs are a record of what happened: read-only for everyone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IntakeFileInline(admin.TabularInline):
    model = IntakeFile
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IntakeRun)
class IntakeRunAdmin(ReadOnly):
    list_display = ["business_date", "outcome", "started_at", "seconds", "moved_to"]
    list_filter = ["outcome"]
    inlines = [IntakeFileInline]


@admin.register(NightRun)
class NightRunAdmin(ReadOnly):
    list_display = ["business_date", "trigger", "status", "requested_by", "changes", "finished_at"]
    list_filter = ["status", "trigger"]
