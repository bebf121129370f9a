from django.contrib import admin

from analytics.models import BudgetLine, CostEntry, KpiSnapshot, Milestone, ProgrammeTargets


@admin.register(ProgrammeTargets)
class ProgrammeTargetsAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "satisfaction_target",
        "churn_reduction_target",
        "new_vips_target",
        "baseline_churn_rate",
        "average_annual_revenue",
    )


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ("year", "line", "planned_amount")
    list_filter = ("year", "line")


@admin.register(CostEntry)
class CostEntryAdmin(admin.ModelAdmin):
    list_display = ("spent_on", "year", "line", "amount", "description")
    list_filter = ("year", "line")
    search_fields = ("description",)
    date_hierarchy = "spent_on"


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("year", "order", "phase", "start_month", "end_month", "status")
    list_filter = ("year", "status")
    list_editable = ("status",)


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ("date", "year", "taken_at")
    list_filter = ("year",)
    readonly_fields = ("date", "year", "figures", "taken_at")
