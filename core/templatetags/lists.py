"""The sortable column header of every list (``core.lists``) and plain ``<option>`` lists."""

from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_CARETS = {
    "ascending": ' <i class="bi bi-caret-up-fill" aria-hidden="true"></i>',
    "descending": ' <i class="bi bi-caret-down-fill" aria-hidden="true"></i>',
}


@register.simple_tag(takes_context=True)
def sort_th(
    context, key: str, label, num: bool = False, descending_first: bool = False
) -> SafeString:
    """A ``<th>`` whose link sorts the list by ``key`` (again: reverses), keeping the filters and
    going back to page 1. Reads the sort in force from the context's ``sort``.
    ``descending_first``: the first click sorts descending (newest first for dates). An empty
    ``key`` links back to the list's own order. Written in Python, not an inclusion template:
    every list has up to eight of them (SPEC section 11)."""
    current = context.get("sort") or ""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    if key:
        if current == key:
            params["sort"] = f"-{key}"
        elif current == f"-{key}":
            params["sort"] = key
        else:
            params["sort"] = f"-{key}" if descending_first else key
    direction = (
        "ascending"
        if key and current == key
        else "descending"
        if key and current == f"-{key}"
        else ""
    )
    num_class = ' class="num"' if num else ""
    sorted_by = f' aria-sort="{direction}"' if direction else ""
    return mark_safe(
        f'<th scope="col"{num_class}{sorted_by}>'
        f'<a class="link-body-emphasis text-decoration-none" href="?{escape(params.urlencode())}">'
        f"{conditional_escape(label)}{_CARETS.get(direction, '')}</a></th>"
    )
