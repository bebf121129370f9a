"""Helpers of the mail intake tests: outcome counts and what the intake wrote."""

from feedback.mail.intake import OUTCOMES
from feedback.models import HeldMail, Ticket, TicketAttachment, TicketMessage

NOTHING = dict.fromkeys(OUTCOMES, 0)


def polled(**counts: int) -> dict:
    """The result ``mailbox_poll`` returns when it did exactly ``counts``."""
    return {**NOTHING, **counts}


def written() -> dict:
    """How many rows of each kind the intake writes exist, to assert nothing else was written."""
    return {
        "tickets": Ticket.objects.count(),
        "messages": TicketMessage.objects.count(),
        "attachments": TicketAttachment.objects.count(),
        "held": HeldMail.objects.count(),
    }
