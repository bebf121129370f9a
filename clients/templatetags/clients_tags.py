from django import template
from django.utils import timezone

from clients.models import VipStatus
from clients.selectors import grace_days_in_force

register = template.Library()


@register.filter
def grace_days_left(client) -> int | None:
    """Days of grace left for a VIP at risk (the policy in force today, cached briefly)."""
    if getattr(client, "status", None) != VipStatus.VIP_AT_RISK:
        return None
    return client.grace_days_left(today=timezone.localdate(), grace_days=grace_days_in_force())


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The query string that sorts the list by ``key`` (again: reverses), keeping the filters."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "client_no")
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()
