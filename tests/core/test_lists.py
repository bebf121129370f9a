"""The one list pattern: ``core.lists.Sorting`` and the ``{% sort_th %}`` header."""

from django.template import Context, Template
from django.test import RequestFactory

from core.lists import Sorting

SORTING = Sorting({"name": "name", "assets": "total_assets"}, default="name")


def test_a_known_key_sorts_and_an_unknown_one_falls_back_to_the_default():
    assert SORTING.key("-assets") == "-assets"
    assert SORTING.key("password") == "name"
    assert SORTING.key("") == "name"
    assert SORTING.order_by("-assets") == ["-total_assets", "pk"]
    assert Sorting({"name": "name"}).key("drop table") == ""


def test_rows_computed_in_python_sort_with_no_data_last_either_way():
    sorting = Sorting({"name": "name", "assets": "assets"}, default="name")
    rows = [{"name": "b", "assets": None}, {"name": "a", "assets": 2}, {"name": "c", "assets": 5}]
    ascending, key = sorting.sort_rows(rows, "assets")
    assert key == "assets" and [r["name"] for r in ascending] == ["a", "c", "b"]
    descending, _ = sorting.sort_rows(rows, "-assets")
    assert [r["name"] for r in descending] == ["c", "a", "b"]


def _header(query: str, sort: str, **options) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    args = " ".join(f"{k}={v}" for k, v in options.items())
    template = Template("{% load lists %}{% sort_th 'assets' 'Assets' " + args + " %}")
    return template.render(Context({"request": request, "sort": sort}))


def test_header_keeps_the_filters_drops_the_page_and_reverses_the_current_sort():
    html = _header("status=vip&page=3&sort=assets", "assets", num=True)
    assert 'href="?status=vip&amp;sort=-assets"' in html
    assert 'aria-sort="ascending"' in html and 'class="num"' in html
    assert 'href="?status=vip&amp;sort=assets"' in _header("status=vip&sort=-assets", "-assets")


def test_header_of_another_column_sorts_ascending_or_descending_first():
    assert 'href="?sort=assets"' in _header("sort=name", "name")
    assert 'href="?sort=-assets"' in _header("sort=name", "name", descending_first=True)
    assert "aria-sort" not in _header("sort=name", "name")
