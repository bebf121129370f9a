from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem
from core.roles import Role


class ApprovalsConfig(AppConfig):
    """Four eyes on exceptions (SPEC section 4): a change one supervisor proposes takes effect when
    a second approves. Apps register what can be proposed in ``approvals.registry``."""

    name = "approvals"
    verbose_name = _("Approvals")
    navigation = [
        NavItem(
            60, "approvals:list", _("Approvals"), frozenset({Role.SUPERVISOR}), "check2-square"
        ),
    ]
    role_permissions: dict = {
        Role.SUPERVISOR: ["approvals.view_proposal", "approvals.view_approvalsetting"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from approvals import widgets
        from approvals.models import ApprovalSetting, Proposal

        auditlog.register(Proposal)
        auditlog.register(ApprovalSetting)
        widgets.register()
