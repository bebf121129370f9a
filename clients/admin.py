from django import forms
from django.contrib import admin

from approvals.models import ApprovalKind
from approvals.selectors import approval_required
from clients.models import Account, Client, ClientChange, StatusChange, StatusOverride, VipPolicy
from core.admin_site import ReadOnlyAdmin
from core.phone import validate_typed_phone
from core.services import audit_record


@admin.register(VipPolicy)
class VipPolicyAdmin(admin.ModelAdmin):
    """Policies are data (SPEC: numbers an administrator changes without a deploy)."""

    list_display = [
        "version",
        "effective_from",
        "personal_asset_threshold",
        "corporate_asset_threshold",
        "min_trades",
        "activity_months",
        "min_relationship_years",
        "grace_days",
        "asset_measure",
        "review_dates",
    ]

    # Under four eyes a policy changes only through a proposal a second supervisor approves
    # (the VIP policy page); the administrator then reads versions here.
    def has_add_permission(self, request):
        return not approval_required(ApprovalKind.POLICY_CHANGE) and super().has_add_permission(
            request
        )

    def has_change_permission(self, request, obj=None):
        return not approval_required(ApprovalKind.POLICY_CHANGE) and super().has_change_permission(
            request, obj
        )


class ClientAdminForm(forms.ModelForm):
    """A client's phone by the one rule and message of every entry point
    (``core.phone.client_phone``, issue 14); kept as written, like the import keeps it. The
    admin makes its Meta (``ModelAdmin.get_form``)."""

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone:
            validate_typed_phone(phone)
        return phone


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientAdminForm
    list_display = ["client_no", "name", "kind", "branch", "status", "total_assets"]
    list_filter = ["status", "kind", "branch"]
    search_fields = ["client_no", "name", "phone_normalized"]
    list_select_related = ["branch"]
    readonly_fields = ["status", "vip_since", "at_risk_since", "status_changed_on", "total_assets"]
    show_full_result_count = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change form shows the full ID number and phone: audited like the dossier's reveal
        (issue 13)."""
        if request.method == "GET":
            client = self.get_object(request, object_id)
            if client is not None:
                audit_record(
                    actor=request.user,
                    event="client.pii_reveal",
                    instance=client,
                    detail={"via": "admin"},
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["account_no", "client"]
    search_fields = ["account_no", "client__client_no"]
    raw_id_fields = ["client"]


@admin.register(StatusOverride)
class StatusOverrideAdmin(admin.ModelAdmin):
    list_display = ["client", "status", "starts_on", "ends_on", "created_by", "revoked_at"]
    raw_id_fields = ["client"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    """The status history is a record: read-only for everyone."""

    list_display = [
        "client",
        "effective_on",
        "from_status",
        "to_status",
        "policy",
        "override",
        "actor",
    ]
    list_filter = ["to_status", "effective_on"]
    raw_id_fields = ["client"]
    list_select_related = ["client", "policy", "override"]


@admin.register(ClientChange)
class ClientChangeAdmin(ReadOnlyAdmin):
    """The master-data history is a record (PII already masked in it): read-only for everyone."""

    list_display = ["client", "changed_at", "field", "old_value", "new_value", "actor"]
    list_filter = ["field", "changed_at"]
    raw_id_fields = ["client"]
    list_select_related = ["client"]
