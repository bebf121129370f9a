from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem
from core.roles import Role


class DatarunsConfig(AppConfig):
    """The core bank's nightly file sets taken from the inbox, and the reclassification runs per
    business date (SPEC sections 2, 3 and 8): what came in, when, and what ran on it."""

    name = "dataruns"
    verbose_name = _("Data runs")
    navigation = [
        NavItem(
            17,
            "dataruns:list",
            _("Data runs"),
            frozenset({Role.SUPERVISOR}),
            "database",
            primary_for=frozenset(),
        ),
    ]
    role_permissions: dict = {
        Role.SUPERVISOR: ["dataruns.view_intakerun", "dataruns.view_nightrun"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from dataruns.models import IntakeRun, NightRun

        auditlog.register(IntakeRun)
        auditlog.register(NightRun)
