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
        NavItem(15, "clients:import", _("Import"), frozenset({SUPERVISOR}), "upload"),
    ]
    role_permissions: dict = {}
