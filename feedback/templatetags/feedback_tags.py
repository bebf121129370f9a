"""Template helpers of the feedback pages."""

from django import template
from django.template.loader import select_template

register = template.Library()

# The clients app owns the one VIP status badge; until it ships, feedback's copy stands in.
STATUS_BADGE_TEMPLATES = [
    "clients/partials/status_badge.html",
    "feedback/partials/status_badge.html",
]


@register.simple_tag(takes_context=True)
def client_status_badge(context, client):
    if client is None:
        return ""
    badge = select_template(STATUS_BADGE_TEMPLATES)
    # Rendered inside the page's own context: a fresh RequestContext would run the context
    # processors (and their queries) again for every row.
    return badge.template.render(context.new({"client": client}))
