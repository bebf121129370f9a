"""The sortable column header of every list (``core.lists``)."""

from django import template

register = template.Library()


@register.inclusion_tag("partials/sort_th.html", takes_context=True)
def sort_th(context, key: str, label, num: bool = False, descending_first: bool = False) -> dict:
    """A ``<th>`` whose link sorts the list by ``key`` (again: reverses), keeping the filters and
    going back to page 1. Reads the sort in force from the context's ``sort``.
    ``descending_first``: the first click sorts descending (newest first for dates). An empty
    ``key`` links back to the list's own order."""
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
    return {
        "href": "?" + params.urlencode(),
        "label": label,
        "num": num,
        "direction": (
            "ascending"
            if key and current == key
            else "descending"
            if key and current == f"-{key}"
            else ""
        ),
    }
