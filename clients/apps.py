from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem
from core.roles import Role

RM, BRANCH, FEEDBACK, SUPERVISOR = (
    Role.RELATIONSHIP_MANAGER,
    Role.BRANCH_STAFF,
    Role.FEEDBACK_TEAM,
    Role.SUPERVISOR,
)


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")
    navigation = [
        NavItem(10, "clients:list", _("Clients"), frozenset({RM, BRANCH, SUPERVISOR}), "people"),
        NavItem(
            15,
            "clients:import",
            _("Import"),
            frozenset({SUPERVISOR}),
            "upload",
            primary_for=frozenset(),
        ),
        NavItem(
            16,
            "clients:policy",
            _("VIP policy"),
            frozenset({SUPERVISOR}),
            "sliders",
            primary_for=frozenset(),
        ),
    ]
    role_permissions: dict = {
        RM: ["clients.view_client"],
        BRANCH: ["clients.view_client"],
        SUPERVISOR: [
            "clients.view_client",
            "clients.view_vippolicy",
            "clients.view_statuschange",
            "clients.add_statusoverride",
            "clients.change_statusoverride",
            "clients.view_statusoverride",
        ],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from approvals.models import ApprovalKind
        from approvals.registry import register_approval_handler
        from clients import demo, four_eyes, panels, widgets
        from clients.models import CLIENT_PII_FIELDS, Client, StatusOverride, VipPolicy

        auditlog.register(
            Client,
            exclude_fields=["updated_at", "total_assets"],
            mask_fields=list(CLIENT_PII_FIELDS),
        )
        auditlog.register(VipPolicy)
        auditlog.register(StatusOverride)
        widgets.register()
        panels.register()
        demo.register()
        register_approval_handler(
            kind=ApprovalKind.POLICY_CHANGE,
            check=four_eyes.vip_policy_check,
            apply=four_eyes.vip_policy_apply,
            describe=four_eyes.vip_policy_describe,
        )
        register_approval_handler(
            kind=ApprovalKind.STATUS_OVERRIDE,
            check=four_eyes.status_override_check,
            apply=four_eyes.status_override_apply,
            describe=four_eyes.status_override_describe,
        )
