from django.contrib import admin

from servicedesk.models import (
    Callback,
    CallLog,
    Event,
    Invitation,
    PlanAllocation,
    PlanProduct,
    Product,
    WealthPlan,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "risk_rating", "active"]
    list_filter = ["risk_rating", "active"]
    search_fields = ["code", "name"]


class PlanAllocationInline(admin.TabularInline):
    model = PlanAllocation
    extra = 0


class PlanProductInline(admin.TabularInline):
    model = PlanProduct
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(WealthPlan)
class WealthPlanAdmin(admin.ModelAdmin):
    """Read-mostly: plans are written through the service (suitability, 100% allocation)."""

    list_display = ["id", "client", "rm", "risk_level", "status", "next_review_on"]
    list_filter = ["status", "risk_level"]
    search_fields = ["client__name", "client__client_no"]
    raw_id_fields = ["client", "rm"]
    inlines = [PlanAllocationInline, PlanProductInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["client", "period", "due_on", "rm", "status", "outcome", "satisfaction_score"]
    list_filter = ["status", "outcome", "period"]
    search_fields = ["client__name", "client__client_no"]
    raw_id_fields = ["client", "rm", "completed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ["called_at", "phone_normalized", "client", "handled_by", "answered_by_kind"]
    list_filter = ["answered_by_kind", "topic"]
    search_fields = ["phone_normalized", "client__name"]
    raw_id_fields = ["client", "handled_by", "answered_by_rm"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["client"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "place", "cost"]
    date_hierarchy = "held_on"
    search_fields = ["title", "place"]
    inlines = [InvitationInline]
