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


class ManagersConfig(AppConfig):
    name = "managers"
    verbose_name = _("Relationship managers")
    navigation = [
        NavItem(
            40,
            "managers:board",
            _("Relationship managers"),
            frozenset({SUPERVISOR}),
            "person-badge",
        ),
        NavItem(
            45, "managers:rota", _("On-call rota"), frozenset({RM, SUPERVISOR}), "calendar-week"
        ),
        NavItem(48, "managers:training", _("Training"), frozenset({RM, SUPERVISOR}), "mortarboard"),
    ]
    role_permissions: dict = {}
