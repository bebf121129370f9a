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
    role_permissions: dict = {
        FEEDBACK: ["feedback.view_ticket", "feedback.change_ticket", "feedback.view_survey"],
        SUPERVISOR: [
            "feedback.view_ticket",
            "feedback.change_ticket",
            "feedback.view_survey",
            "feedback.view_slapolicy",
        ],
        RM: ["feedback.view_ticket", "feedback.add_ticket"],
        BRANCH: ["feedback.view_ticket", "feedback.add_ticket"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from feedback import demo, widgets
        from feedback.models import (
            ApiKey,
            HeldMail,
            SlaPolicy,
            Survey,
            Ticket,
            TicketAttachment,
            TicketMessage,
        )

        # A web or mail sender's contact is PII, masked in change records like a client's.
        auditlog.register(Ticket, mask_fields=["sender_email", "sender_phone"])
        auditlog.register(TicketMessage)
        auditlog.register(Survey, exclude_fields=["token"])
        auditlog.register(ApiKey, exclude_fields=["key_hash"])
        auditlog.register(SlaPolicy)
        auditlog.register(TicketAttachment)
        auditlog.register(HeldMail, exclude_fields=["body"])
        widgets.register()
        demo.register()
