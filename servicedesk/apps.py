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


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Service desk")
    navigation = [
        NavItem(
            20,
            "servicedesk:hotline",
            _("Hotline"),
            frozenset({RM, BRANCH, SUPERVISOR}),
            "telephone",
            primary_for=frozenset({RM, BRANCH}),
        ),
        NavItem(
            25,
            "servicedesk:callbacks",
            _("Call-backs"),
            frozenset({RM, SUPERVISOR}),
            "telephone-outbound",
            primary_for=frozenset({RM}),
        ),
        NavItem(
            30,
            "servicedesk:plans",
            _("Wealth plans"),
            frozenset({RM, SUPERVISOR}),
            "pie-chart",
            primary_for=frozenset({RM}),
        ),
        NavItem(
            35,
            "servicedesk:events",
            _("Events"),
            frozenset({RM, SUPERVISOR}),
            "calendar-event",
            primary_for=frozenset(),
        ),
    ]
    role_permissions: dict = {
        RM: [
            "servicedesk.add_calllog",
            "servicedesk.view_calllog",
            "servicedesk.view_callback",
            "servicedesk.change_callback",
            "servicedesk.view_product",
            "servicedesk.add_wealthplan",
            "servicedesk.change_wealthplan",
            "servicedesk.view_wealthplan",
            "servicedesk.view_event",
            "servicedesk.change_invitation",
            "servicedesk.add_invitation",
        ],
        BRANCH: ["servicedesk.add_calllog", "servicedesk.view_calllog"],
        SUPERVISOR: [
            "servicedesk.add_calllog",
            "servicedesk.view_calllog",
            "servicedesk.view_callback",
            "servicedesk.change_callback",
            "servicedesk.view_product",
            "servicedesk.add_product",
            "servicedesk.change_product",
            "servicedesk.view_wealthplan",
            "servicedesk.change_wealthplan",
            "servicedesk.add_event",
            "servicedesk.change_event",
            "servicedesk.view_event",
            "servicedesk.add_invitation",
            "servicedesk.change_invitation",
            "servicedesk.view_invitation",
        ],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from servicedesk import demo, models, panels

        for model in (
            models.Callback,
            models.Product,
            models.WealthPlan,
            models.PlanAllocation,
            models.PlanProduct,
            models.Event,
            models.Invitation,
        ):
            auditlog.register(model)
        auditlog.register(models.CallLog, mask_fields=["phone", "phone_normalized"])
        panels.register()
        demo.register()
