"""The roles of SPEC section 1. Each role is a Django group; its permissions are declared by the
apps (``role_permissions`` on their AppConfig) and synced after every migrate."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RELATIONSHIP_MANAGER = "relationship_manager", _("Relationship manager")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    FEEDBACK_TEAM = "feedback_team", _("Feedback team")
    SUPERVISOR = "supervisor", _("VIP service supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Who sees every client, ticket and figure of the service.
SERVICE_WIDE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

# A user holding several roles' groups has the first of these (``User.role``).
PRECEDENCE = (
    Role.ADMINISTRATOR,
    Role.SUPERVISOR,
    Role.FEEDBACK_TEAM,
    Role.RELATIONSHIP_MANAGER,
    Role.BRANCH_STAFF,
)
