"""The client list's filters tried as each role and as an attacker would (ClientFilter): ids that
are not ids, choices outside the user's scope, the options kept a minute per scope, the pages
keeping the filters."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")
EXPORT = reverse("clients:export")


def select(response, name: str) -> str:
    found = re.search(f'<select name="{name}".*?</select>', response.content.decode(), re.S)
    assert found, name
    return found.group(0)


def offered(response, name: str) -> set[str]:
    """The non-empty option values of a filter's select."""
    return set(re.findall(r'<option value="([^"]+)"', select(response, name))) - {""}


# Digits Python's isdigit() accepts but that are no id: superscript two, Arabic-Indic three,
# full-width one; and ids out of the column's range.
NOT_IDS = ["²", "٣", "１", "9" * 30, "-1", "0", "1.0"]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("name", ["branch", "rm"])
def test_a_branch_or_rm_that_is_not_an_id_is_refused_in_the_users_language(
    login, supervisor, branch, rm, client_of_rm, name, value
):
    http = login(supervisor, language="zh-hans")
    for url in (LIST, EXPORT):
        response = http.get(url, {name: value})
        assert response.status_code == 200
    response = http.get(LIST, {name: value})
    assert response.context["filter"].errors.keys() == {name}
    assert "选择一个有效的选项" in response.content.decode()
    assert [c.pk for c in response.context["page_obj"]] == [client_of_rm.pk]


def test_the_search_form_passes_a_bad_id_on_and_the_list_refuses_it(login, supervisor, branch):
    http = login(supervisor)
    response = http.post(reverse("clients:search"), {"branch": "²"}, follow=True)
    assert response.status_code == 200
    assert response.context["filter"].errors.keys() == {"branch"}


def test_an_id_with_leading_zeros_is_the_same_choice_and_shows_as_chosen(
    login, supervisor, client_of_rm, client_elsewhere
):
    response = login(supervisor).get(LIST, {"branch": f"00{client_elsewhere.branch_id}"})
    assert [c.pk for c in response.context["page_obj"]] == [client_elsewhere.pk]
    assert f'<option value="{client_elsewhere.branch_id}" selected>' in select(response, "branch")
