from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from clients.models import VipStatus
from clients.selectors import grace_days_in_force

register = template.Library()


@register.filter
def grace_days_left(client) -> int | None:
    """Days of grace left for a VIP at risk (the policy in force today, cached briefly)."""
    if getattr(client, "status", None) != VipStatus.VIP_AT_RISK:
        return None
    return client.grace_days_left(today=timezone.localdate(), grace_days=grace_days_in_force())


@register.simple_tag
def status_badge(client) -> str:
    """The client's status badge. In Python rather than a template: lists show one per row, and
    a template include per row cost a list page several milliseconds."""
    if client.status == VipStatus.VIP:
        return format_html(
            '<span class="badge badge-vip" data-status="vip">'
            '<i class="bi bi-gem me-1" aria-hidden="true"></i>{}</span>',
            _("VIP"),
        )
    if client.status == VipStatus.VIP_AT_RISK:
        return format_html(
            '<span class="badge badge-vip-at-risk" data-status="vip_at_risk" title="{}">'
            '<i class="bi bi-hourglass-split me-1" aria-hidden="true"></i>{}</span>',
            _("VIP at risk (grace period)"),
            _("Grace period, %(n)s days left") % {"n": grace_days_left(client)},
        )
    return format_html(
        '<span class="badge badge-standard" data-status="standard">{}</span>', _("Standard")
    )
