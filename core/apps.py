from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished
from django.db import connections
from django.db.models import fields
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core import requestid
from core.navigation import NavItem
from core.roles import Role


def _sqlite_wal(sender, using: str = "default", **kwargs):
    """Switch a SQLite database file to WAL once, after migrate (settings.DATABASES says why)."""
    connection = connections[using]
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


def _sync_roles(sender, **kwargs):
    from core.services import roles_sync

    roles_sync()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")
    navigation = [
        NavItem(
            95,
            "core:jobs",
            _("Jobs"),
            frozenset({Role.SUPERVISOR}),
            "clock-history",
            primary_for=frozenset(),
        ),
    ]
    role_permissions = {
        Role.SUPERVISOR: ["core.view_branch", "core.view_user"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import demo, widgets
        from core.models import Branch, User

        post_migrate.connect(_sqlite_wal, sender=self)
        post_migrate.connect(_sync_roles, sender=self)
        request_finished.connect(requestid.clear, dispatch_uid="core.requestid.clear")
        requestid.install_log_masking()
        from core.middleware import SessionTimeoutMiddleware  # needs the app registry

        user_logged_in.connect(
            SessionTimeoutMiddleware.start_clock, dispatch_uid="core.session_clock"
        )
        auditlog.register(Branch)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        widgets.register()
        demo.register()
        # Django 6.1's new empty-choice label has no Chinese in Django's own catalogue yet;
        # naming it here puts it in ours (locale/), which translates Django's lazy label too.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
