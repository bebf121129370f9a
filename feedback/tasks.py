"""Scheduled work of the feedback app (SPEC section 8): each task calls one service, is safe to
run twice or late, and works from the database's state alone."""

from celery import shared_task

from feedback import services
from feedback.mail import intake


@shared_task(name="feedback.tasks.sla_sweep")
def sla_sweep() -> dict:
    """Every 5 minutes: warn at 75% of the response window, escalate at 100%."""
    return services.sla_sweep()


@shared_task(name="feedback.tasks.poll_mailbox")
def poll_mailbox() -> dict:
    """Every 2 minutes: turn new email into tickets and thread replies; hold the rest."""
    return intake.mailbox_poll()
