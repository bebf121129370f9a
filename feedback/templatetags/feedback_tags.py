"""Template helpers of the feedback app."""

from django import template

from feedback import sla

register = template.Library()


@register.filter
def sla_badge(ticket) -> dict:
    """The SLA badge of a ticket (``feedback.sla.badge``): state, label, css, time left."""
    return sla.badge(ticket)
