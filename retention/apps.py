from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class RetentionConfig(AppConfig):
    """Keeping clients before they slip (SPEC section 4, early warning): retention tasks for the
    RM of a VIP whose assets fell, who stands near a threshold, or whose trades will soon fall
    below the minimum."""

    name = "retention"
    verbose_name = _("Retention")
    role_permissions: dict = {
        Role.SUPERVISOR: ["retention.view_retentiontask"],
        Role.RELATIONSHIP_MANAGER: ["retention.view_retentiontask"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from retention import widgets
        from retention.models import RetentionTask

        auditlog.register(RetentionTask)
        widgets.register()
