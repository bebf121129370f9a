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


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")
    navigation = [
        NavItem(60, "analytics:dashboard", _("Analytics"), frozenset({SUPERVISOR}), "graph-up"),
        NavItem(
            61, "analytics:my_figures", _("My figures"), frozenset({RM}), "graph-up", personal=True
        ),
    ]
    role_permissions: dict = {
        SUPERVISOR: [
            "analytics.view_programmetargets",
            "analytics.view_budgetline",
            "analytics.view_costentry",
            "analytics.view_milestone",
            "analytics.view_kpisnapshot",
        ],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from analytics import demo, widgets
        from analytics.models import BudgetLine, CostEntry, Milestone, ProgrammeTargets

        for model in (ProgrammeTargets, BudgetLine, CostEntry, Milestone):
            auditlog.register(model)
        widgets.register()
        demo.register()
