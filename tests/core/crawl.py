"""A small crawler for the generated no-5xx test: the routes come from the URLconf
(``tests.core.urlconf``), the
parameters from the pages' own forms and links (what a user can send), so a new route, form or
filter is exercised without anyone listing it here."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from tests.core.urlconf import Route, sample_path

# What crafted requests carry (issue 14): integers beyond every column, negative, empty, a long
# text, a NUL byte, an emoji, an impossible date, markup, the ends of Python's calendar (a week
# after 9999-12-31 or 0001-01-01 in UTC overflow), full-width digits.
BOUNDARY_VALUES = (
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "",
    "x" * 10_000,
    "a\x00b",
    "\U0001f600",
    "2026-02-30",
    "<script>alert(1)</script>",
    "9999-12-31",
    "0001-01-01",
    "１２",
)
# Path segments for converters: the resolver decides whether they match at all.
BOUNDARY_SEGMENTS = {
    "id": ("0", "9223372036854775808", "99999999999999999999"),
    "int": ("0", "9223372036854775808", "99999999999999999999"),
    "str": ("%00", "%F0%9F%98%80", "%3Cb%3E", "x" * 300),
    "path": ("%00", "x" * 300),
    "slug": ("x" * 300,),
}


def boundary_paths(route: Route) -> list[str]:
    """``route`` (from ``tests.core.urlconf``) with odd or out-of-range path segments, the
    converters' segments in step."""
    kinds = [_KIND.get(converter, "str") for _key, converter in route.params]
    if not kinds:
        return [sample_path(route)]
    count = max(len(BOUNDARY_SEGMENTS[k]) for k in kinds)
    return [
        sample_path(
            route,
            {
                key: BOUNDARY_SEGMENTS[kind][min(i, len(BOUNDARY_SEGMENTS[kind]) - 1)]
                for (key, _c), kind in zip(route.params, kinds, strict=True)
            },
        )
        for i in range(count)
    ]


_KIND = {
    "IdConverter": "id",
    "IntConverter": "int",
    "StringConverter": "str",
    "PathConverter": "path",
    "SlugConverter": "slug",
}


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values offered

    def baseline(self) -> dict[str, str]:
        """The form as a user would send it without changing anything: each field's current
        value, or the first real option of a select."""
        return {name: values[0] if values else "" for name, values in self.fields.items()}


class PageParser(HTMLParser):
    """The forms (method, action, fields with their values/options) and links of a page."""

    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.base_url, a["href"]))
        elif tag == "form":
            action = urljoin(self.base_url, a.get("action") or self.base_url)
            self._form = Form((a.get("method") or "get").lower(), action)
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._form is not None and self._select and a.get("value"):
            self._form.fields[self._select].append(a["value"])

    def _field(self, tag, a):
        name = a["name"]
        values = self._form.fields.setdefault(name, [])
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            values.append("x")
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a and values:
                return
            if a.get("value"):
                values.insert(0, a["value"]) if "checked" in a else values.append(a["value"])
            elif kind in ("text", "search", "tel", "email", "password", "number", "date"):
                values.append(_plausible(kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _plausible(kind: str) -> str:
    return {"number": "1", "date": "2026-11-30", "email": "a@example.com"}.get(kind, "x")


def split(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)
