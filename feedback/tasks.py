"""Scheduled work of the feedback app (SPEC section 8): each task calls one service, is recorded
as a job run (a second run of the same period does nothing), and works from the database's state
alone, so a late run catches up."""

from datetime import datetime

from core.jobruns import scheduled_task
from feedback.mail import intake
from feedback.services import escalation


@scheduled_task("feedback-sla-sweep")
def sla_sweep(period_start: datetime) -> dict:
    """Every 5 minutes: warn at 75% of the response window, escalate at 100%."""
    return escalation.sla_sweep()


@scheduled_task("mail-intake")
def poll_mailbox(period_start: datetime) -> dict:
    """Every 2 minutes: turn new email into tickets and thread replies; hold the rest."""
    return intake.mailbox_poll()
