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


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")
    navigation = [
        NavItem(
            50,
            "feedback:queue",
            _("Feedback"),
            frozenset({RM, BRANCH, FEEDBACK, SUPERVISOR}),
            "chat-left-text",
        ),
    ]
    role_permissions: dict = {}
