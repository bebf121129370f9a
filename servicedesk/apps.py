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
        ),
        NavItem(
            25,
            "servicedesk:callbacks",
            _("Call-backs"),
            frozenset({RM, SUPERVISOR}),
            "telephone-outbound",
        ),
        NavItem(
            30, "servicedesk:plans", _("Wealth plans"), frozenset({RM, SUPERVISOR}), "pie-chart"
        ),
        NavItem(
            35, "servicedesk:events", _("Events"), frozenset({RM, SUPERVISOR}), "calendar-event"
        ),
    ]
    role_permissions: dict = {}
