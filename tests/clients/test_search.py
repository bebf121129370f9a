"""The search box finds what staff type (issue 14): any part of a client number, any part of a
name (the given name too), the last four digits of a phone; one match opens the dossier; the
page's query count does not grow with the matches."""

import pytest
from django.urls import reverse

from tests.factories.clients import ClientFactory

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")


def _names(response) -> list[str]:
    return sorted(c.name for c in response.context["page_obj"])


def test_any_part_of_a_client_number(login, supervisor, branch):
    ClientFactory(client_no="DC004711", name="甲", branch=branch)
    ClientFactory(client_no="DC004712", name="乙", branch=branch)
    ClientFactory(client_no="DC009999", name="丙", branch=branch)

    response = login(supervisor).get(LIST, {"q": "0471"})

    assert _names(response) == ["乙", "甲"]


def test_a_given_name_finds_the_client(login, supervisor, branch):
    wanted = ClientFactory(name="王芳", branch=branch)
    ClientFactory(name="李强", branch=branch)

    response = login(supervisor).get(LIST, {"q": "芳"})

    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[wanted.pk])


def test_a_western_given_name_inside_the_name(login, supervisor, branch):
    ClientFactory(name="Anna Maria Schmidt", branch=branch)
    ClientFactory(name="Maria Lopez", branch=branch)
    ClientFactory(name="Peter Braun", branch=branch)

    response = login(supervisor).get(LIST, {"q": "maria"})

    assert _names(response) == ["Anna Maria Schmidt", "Maria Lopez"]


@pytest.mark.parametrize("typed", ["8000", "348000", " 8000 "])
def test_the_last_digits_of_a_phone_open_the_dossier(login, supervisor, branch, typed):
    wanted = ClientFactory(phone="13912348000", branch=branch)
    ClientFactory(phone="13912341234", branch=branch)

    response = login(supervisor).get(LIST, {"q": typed})

    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[wanted.pk])


def test_three_digits_are_not_taken_for_a_phone(login, supervisor, branch):
    ClientFactory(phone="13912348000", client_no="C1", branch=branch)

    response = login(supervisor).get(LIST, {"q": "000"})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0


def test_the_query_count_stays_flat_with_more_matches(
    login, supervisor, branch, django_assert_max_num_queries
):
    http = login(supervisor)
    for n in range(2):
        ClientFactory(name=f"张{n}芳", branch=branch)
    http.get(LIST, {"q": "芳"})  # warm the caches (policy, navigation)
    with django_assert_max_num_queries(12) as few:
        http.get(LIST, {"q": "芳"})
    for n in range(2, 20):
        ClientFactory(name=f"张{n}芳", branch=branch)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(LIST, {"q": "芳"})
    assert response.context["page_obj"].paginator.count == 20


@pytest.mark.parametrize(
    "typed",
    [
        "１３８００１３８０００",
        "１３８ ００１３ ８０００",
        "８０００",
        "＋８６ １３８００１３８０００",
    ],
)
def test_a_phone_typed_in_full_width_digits_finds_the_client(login, supervisor, branch, typed):
    """A Chinese input method writes full-width digits (１３８…) unless switched: the search reads
    them as the digits they are."""
    wanted = ClientFactory(name="王芳", phone="13800138000", branch=branch)
    ClientFactory(name="李强", phone="13900139000", branch=branch)

    response = login(supervisor).get(LIST, {"q": typed})

    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[wanted.pk])


def test_a_client_number_typed_in_full_width_finds_the_client(login, supervisor, branch):
    wanted = ClientFactory(client_no="DC004711", name="甲", branch=branch)
    ClientFactory(client_no="DC009999", name="乙", branch=branch)

    response = login(supervisor).get(LIST, {"q": "ＤＣ００４７１１"})

    assert response.url == reverse("clients:detail", args=[wanted.pk])


@pytest.mark.parametrize("typed", ["%", "_", "王%", "王_", "'", "\\"])
def test_like_wildcards_and_quotes_are_searched_as_written(login, supervisor, branch, typed):
    ClientFactory(name="王芳", branch=branch)
    ClientFactory(name="王强", branch=branch)

    response = login(supervisor).get(LIST, {"q": typed})

    assert response.status_code == 200
    assert _names(response) == []
