"""A ticket row's cells written in Python: the queue shows 25 rows, the dossier's panel up to 10,
and a template ``{% include %}`` per cell and row cost the queue several milliseconds a page (SPEC
section 11). The same markup as the partials that now call these tags."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from clients.templatetags.clients_tags import status_badge
from core.templatetags.vip import time_left
from feedback.sla import badge

register = template.Library()

_STATUS_CSS = {
    "new": "primary",
    "in_progress": "info",
    "responded": "secondary",
    "resolved": "success",
}


@register.simple_tag
def ticket_status_badge(ticket) -> str:
    return format_html(
        '<span class="badge rounded-pill text-bg-{}">{}</span>',
        _STATUS_CSS.get(ticket.status, "light"),
        ticket.get_status_display(),
    )


@register.simple_tag
def ticket_sla_badge(ticket) -> str:
    """The SLA badge (``feedback.sla.badge``): time left while a response is awaited, else the
    state's label."""
    sla = badge(ticket)
    text = time_left(sla["time_left"]) if sla["time_left"] is not None else sla["label"]
    return format_html(
        '<span class="badge {}" data-sla="{}" title="{}">{}</span>',
        sla["css"],
        sla["state"],
        sla["label"],
        text,
    )


@register.simple_tag
def ticket_client_cell(ticket) -> str:
    if ticket.client_id is None:
        return format_html(
            '<span class="text-body-secondary" title="{}"><i class="bi bi-question-circle me-1" '
            'aria-hidden="true"></i>{}</span>',
            ticket.sender_email,
            _("Unmatched sender"),
        )
    return format_html(
        '<span class="text-nowrap">{}</span> {}', ticket.client.name, status_badge(ticket.client)
    )
