"""Every URL of the product, generated from the URLconf, for tests that must cover all of them
(NUL bytes, headers, the role matrix)."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the route with its converters, e.g. "clients/<int:pk>/"
    params: tuple[tuple[str, str], ...]  # (name, converter) in order


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def routes(*, include_admin: bool = False) -> list[Route]:
    """The named routes of the product (Django admin's own pages left out unless asked)."""
    found = []
    for pattern, namespace, entry in _walk(get_resolver().url_patterns):
        if not entry.name:
            continue
        if pattern.startswith("admin/") and not include_admin:
            continue
        if pattern.startswith("^") or "(?P" in pattern:
            continue  # regex routes (admin internals, static)
        converters = entry.pattern.converters
        params = tuple((key, type(conv).__name__) for key, conv in converters.items())
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        found.append(Route(name=name, pattern=pattern, params=params))
    return found


_SAMPLES = {
    "IntConverter": "1",
    "IdConverter": "1",
    "StringConverter": "x",
    "SlugConverter": "x",
    "PathConverter": "x",
    "UUIDConverter": "00000000-0000-0000-0000-000000000000",
}


def sample_path(route: Route, values: dict[str, str] | None = None) -> str:
    """``/`` + the route with each parameter replaced by ``values[name]`` or a sample of its type."""
    path = route.pattern
    for key, converter in route.params:
        value = (values or {}).get(key, _SAMPLES.get(converter, "x"))
        # Whatever the converter's registered name (<int:pk>, <id:pk>, <pk>).
        path = re.sub(rf"<(?:\w+:)?{key}>", lambda _m, v=str(value): v, path)
    return "/" + path
