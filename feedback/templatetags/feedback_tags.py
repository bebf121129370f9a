"""Template helpers of the feedback pages."""

from django import template
from django.template.loader import get_template

register = template.Library()


@register.simple_tag(takes_context=True)
def client_status_badge(context, client):
    if client is None:
        return ""
    badge = get_template("clients/partials/status_badge.html")
    # Rendered inside the page's own context: a fresh RequestContext would run the context
    # processors (and their queries) again for every row.
    return badge.template.render(context.new({"client": client}))
