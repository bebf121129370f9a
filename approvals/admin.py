from django.contrib import admin

from approvals.models import ApprovalSetting, Proposal
from core.admin_site import ReadOnlyAdmin


@admin.register(ApprovalSetting)
class ApprovalSettingAdmin(admin.ModelAdmin):
    """Which changes need a second supervisor (SPEC section 4): the administrator's switch."""

    list_display = ["kind", "requires_approval"]
    list_editable = ["requires_approval"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Proposals are decided on the approvals pages; here they are a read-only record."""

    list_display = ["kind", "subject", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["proposed_by", "decided_by"]
