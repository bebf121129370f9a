"""Every page a role reaches reads wholly in Chinese when the user's language is Chinese, and no
page prints a template comment (issue 14, "Small things staff notice")."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from tests.core.crawl import PageParser, split
from tests.core.urlconf import routes, sample_path

pytestmark = pytest.mark.django_db

SKIP_ROUTES = {"logout"}
# Attributes a screen reader or a hover reads out.
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
# Words that stay as they are in Chinese: names of formats, products and the language switch.
KEPT_WORDS = {"App", "Big5", "Excel", "English"}
# An English word: letters, maybe digits, apostrophes or hyphens after the first letter.
# Pages that showed English in Chinese once (issue 14); the crawl must reach them.
PAGE_TYPES = {
    "clients:detail",
    "clients:import",
    "managers:board",
    "managers:candidate_add",
    "feedback:ticket_detail",
    "servicedesk:callback_detail",
    "analytics:breakdown",
    "core:jobs",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]+")


class VisibleText(HTMLParser):
    """The words a user sees or hears: text outside script, style and code (column names and
    commands stay literal), and the reading attributes."""

    SILENT = frozenset({"script", "style", "code", "kbd"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SILENT:
            self._silent += 1
        self.parts.extend(v for k, v in attrs if k in READ_ATTRIBUTES and v)

    def handle_endtag(self, tag):
        if tag in self.SILENT:
            self._silent -= 1

    def handle_data(self, data):
        if not self._silent:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    """Words of two or more letters outside ``KEPT_WORDS`` that are not acronyms (VIP, KPI,
    CSV, MM-DD, branch codes and references keep their capitals in Chinese)."""
    text = VisibleText()
    text.feed(html)
    return {
        word
        for part in text.parts
        for word in WORD.findall(part)
        if word not in KEPT_WORDS and not word.isupper()
    }


def _route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return None if match.view_name.startswith("admin:") else match.view_name


def crawl(http, start: list[str]) -> dict[str, str]:
    """``{route: html}``: the first page of each route reached from ``start`` by links."""
    pages: dict[str, str] = {}
    queue = list(start)
    local = "http://testserver"
    while queue:
        url = queue.pop(0)
        path, query = split(url)
        route = _route_of(path)
        if route is None or route in SKIP_ROUTES or route in pages:
            continue
        response = http.get(path, query)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages[route] = response.content.decode()
        parser = PageParser(f"{local}{url}")
        parser.feed(pages[route])
        queue.extend(link[len(local) :] for link in parser.links if link.startswith(local + "/"))
    return pages


def test_every_page_reads_in_chinese_and_prints_no_template_comment(world, people, roles):
    start = ["/", *(sample_path(r) for r in routes() if not r.params), world["survey_path"]]
    english: dict[str, set[str]] = {}
    comments: set[str] = set()
    reached: set[str] = set()
    for role, user in people.items():
        if user is not None:
            user.language = "zh-hans"
            user.save(update_fields=["language"])
        for route, html in crawl(roles[role], start).items():
            reached.add(route)
            for word in english_words(html):
                english.setdefault(word, set()).add(f"{role} {route}")
            if "{#" in html or "#}" in html:
                comments.add(f"{role} {route}")

    assert reached >= PAGE_TYPES
    assert {word: sorted(where)[:3] for word, where in english.items()} == {}
    assert comments == set()


def test_no_template_holds_a_comment_django_would_print():
    """``{# … #}`` is single-line in Django: one spread over lines is printed as text."""
    roots = [Path(settings.BASE_DIR)]
    spread = [
        f"{path.relative_to(roots[0])}:{number}"
        for path in roots[0].glob("**/templates/**/*.html")
        if ".venv" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert spread == []


def test_one_english_word_with_two_meanings_reads_right_in_each_place(
    login, supervisor, client_of_rm
):
    """ "From" is the start of an RM's assignment in one table and the old status in another."""
    http = login(supervisor, language="zh-hans")

    history = http.get(reverse("managers:history", args=[client_of_rm.pk])).content.decode()
    statuses = http.get(
        reverse("clients:panel", args=[client_of_rm.pk, "clients.status"])
    ).content.decode()

    assert "<th>起始日期</th><th>截止日期</th>" in history
    assert "原状态" not in history
    assert ">原状态</th>" in statuses and ">新状态</th>" in statuses


def test_a_persons_name_is_labelled_as_a_name_and_a_select_asks_in_chinese(login, supervisor):
    page = login(supervisor, language="zh-hans").get(reverse("managers:candidate_add"))
    html = page.content.decode()

    assert str(page.context["form"]["name"].label) == "姓名"
    assert "- 请选择 -" in html
    assert "Select an option" not in html
