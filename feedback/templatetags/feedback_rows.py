"""A ticket row's cells written in Python: the queue shows 25 rows, the dossier's panel up to 10,
and a template ``{% include %}`` per cell and row cost the queue several milliseconds a page (SPEC
section 11). The same markup as the partials that now call these tags."""

import functools
from datetime import datetime
from html import escape

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clients.templatetags.clients_tags import status_badge
from core.lists import ChoiceLabels
from core.templatetags.vip import time_left
from feedback.models import SlaState
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
    return mark_safe(_status_badge(ticket.status, escape(str(ticket.get_status_display()))))


def _status_badge(status: str, escaped_label: str) -> str:
    css = _STATUS_CSS.get(status, "light")
    return f'<span class="badge rounded-pill text-bg-{css}">{escaped_label}</span>'


@functools.lru_cache(maxsize=8)
def _sla_labels(language: str) -> dict[str, str]:
    """The SLA states' labels in ``language`` (the active one), escaped: read once per language
    and process rather than once per row."""
    return {state: escape(str(state.label)) for state in SlaState}


@register.simple_tag
def ticket_sla_badge(ticket, now=None) -> SafeString:
    """The SLA badge (``feedback.sla.badge``) at ``now`` (default: this moment): time left while
    a response is awaited, else the state's label."""
    sla = badge(ticket, now)
    label = _sla_labels(get_language())[sla["state"]]
    text = escape(time_left(sla["time_left"])) if sla["time_left"] is not None else label
    # The state and its CSS class are the SLA module's own constants.
    return mark_safe(
        f'<span class="badge {sla["css"]}" data-sla="{sla["state"]}" title="{label}">{text}</span>'
    )


@register.simple_tag
def ticket_client_cell(ticket) -> SafeString:
    if ticket.client_id is None:
        return format_html(
            '<span class="text-body-secondary" title="{}"><i class="bi bi-question-circle me-1" '
            'aria-hidden="true"></i>{}</span>',
            ticket.sender_email or ticket.sender_phone,
            _("Unmatched sender"),
        )
    return mark_safe(
        f'<span class="text-nowrap">{escape(ticket.client.name)}</span> '
        f"{status_badge(ticket.client)}"
    )


def _ticket_row(
    t, *, select_label: str, url_prefix: str, unassigned: str, labels: ChoiceLabels, now: datetime
) -> str:
    ref = escape(t.reference)
    select = ""
    if select_label:
        label = escape(select_label % {"r": t.reference})
        select = (
            '<td><input class="form-check-input" type="checkbox" name="tickets" '
            f'value="{ref}" aria-label="{label}"></td>'
        )
    handler = escape(str(t.handler)) if t.handler_id else unassigned
    received = timezone.localtime(t.received_at).strftime("%Y-%m-%d %H:%M")
    return (
        f'<tr data-reference="{ref}">{select}'
        f'<td><a class="fw-semibold text-nowrap" href="{escape(url_prefix)}{ref}/">{ref}</a>'
        '<div class="small text-body-secondary text-truncate max-w-18rem">'
        f"{escape(t.subject)}</div></td>"
        f"<td>{ticket_client_cell(t)}</td>"
        f'<td class="text-nowrap"><i class="bi bi-{escape(t.channel_icon)}" aria-hidden="true"></i> '
        f'<span class="small">{labels[type(t), "channel", t.channel]}</span></td>'
        f'<td class="text-nowrap">{labels[type(t), "category", t.category]}</td>'
        f'<td class="text-nowrap">{handler}</td>'
        f"<td>{_status_badge(t.status, labels[type(t), 'status', t.status])}</td>"
        f"<td>{ticket_sla_badge(t, now)}</td>"
        f'<td class="small text-nowrap">{received}</td></tr>'
    )


@register.simple_tag
def ticket_rows(tickets, *, is_team: bool, url_prefix: str) -> SafeString:
    """The queue's rows (``<tr>`` each), written in Python: 25 rows of 9 cells through the
    template language cost several hundred variable look-ups a page (SPEC section 11).
    ``is_team``: a selection box per row for the bulk assignment; ``url_prefix``: the ticket
    page's URL without the reference."""
    unassigned = escape(_("Unassigned"))
    unassigned = f'<span class="text-body-secondary">{unassigned}</span>'
    labels, now = ChoiceLabels(), timezone.now()
    # Translated once a page, not once a row; outside an f-string, which xgettext does not read.
    select_label = _("Select %(r)s") if is_team else ""
    # Every value is escaped; the cells from the tags above are safe HTML of their own.
    return mark_safe(
        "".join(
            _ticket_row(
                t,
                select_label=select_label,
                url_prefix=url_prefix,
                unassigned=unassigned,
                labels=labels,
                now=now,
            )
            for t in tickets
        )
    )
