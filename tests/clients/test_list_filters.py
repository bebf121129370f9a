"""The client list's filters tried as each role and as an attacker would (ClientFilter): ids that
are not ids, choices outside the user's scope, the options kept a minute per scope, the pages
keeping the filters."""

import re

import pytest
from django.urls import reverse

from core.roles import Role
from managers.models import RmStatus
from tests.factories.clients import ClientFactory
from tests.factories.core import BranchFactory, UserFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory

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


def test_branch_staff_are_offered_and_may_choose_only_their_own_branch(
    login, branch_staff, branch, other_branch, client_of_rm, client_elsewhere
):
    http = login(branch_staff)
    page = http.get(LIST)
    assert offered(page, "branch") == {str(branch.pk)}
    assert other_branch.name not in select(page, "branch")
    refused = http.get(LIST, {"branch": other_branch.pk})
    assert refused.context["filter"].errors.keys() == {"branch"}
    # Refused like a branch that does not exist: nothing tells them apart.
    missing = http.get(LIST, {"branch": other_branch.pk + 1000})
    assert refused.context["filter"].errors == missing.context["filter"].errors
    chosen = http.get(LIST, {"branch": branch.pk})
    assert not chosen.context["filter"].errors
    assert [c.pk for c in chosen.context["page_obj"]] == [client_of_rm.pk]


def test_an_rm_is_offered_the_branches_of_own_clients_only(
    login, rm, rm_user, branch, other_branch, client_of_rm, client_elsewhere
):
    BranchFactory(code="GZ001", name="广州天河支行")
    far = ClientFactory(branch=other_branch, name="远")
    AssignmentFactory(client=far, rm=rm)
    http = login(rm_user)
    assert offered(http.get(LIST), "branch") == {str(branch.pk), str(other_branch.pk)}
    chosen = http.get(LIST, {"branch": other_branch.pk})
    assert [c.pk for c in chosen.context["page_obj"]] == [far.pk]
    # The RM filter is not theirs: their list holds only their own clients.
    assert '<select name="rm"' not in chosen.content.decode()


def test_the_supervisor_is_offered_every_branch(login, supervisor, branch, other_branch):
    assert offered(login(supervisor).get(LIST), "branch") == {str(branch.pk), str(other_branch.pk)}


def test_options_kept_for_branch_staff_without_a_branch_are_not_the_supervisors(
    login, supervisor, rm, colleague_rm
):
    """A branch staff account not yet given its branch sees no client and is offered no RM;
    the options kept for it are never shown to a supervisor, nor the supervisor's to it."""
    unplaced = UserFactory(username="new_teller", branch=None, role=Role.BRANCH_STAFF)
    every_rm = {str(rm.pk), str(colleague_rm.pk)}
    assert offered(login(unplaced).get(LIST), "rm") == set()
    assert offered(login(supervisor).get(LIST), "rm") == every_rm
    assert offered(login(unplaced).get(LIST), "rm") == set()
    assert offered(login(unplaced).get(LIST), "branch") == set()


def test_an_rm_who_left_is_offered_only_while_clients_are_still_assigned_to_them(
    login, supervisor, branch, rm, client_of_rm
):
    inactive = RelationshipManagerFactory(branch=branch, name="已停用", status=RmStatus.INACTIVE)
    signed_off = RelationshipManagerFactory(branch=branch, name="已注销")
    signed_off.user.is_active = False
    signed_off.user.save(update_fields=["is_active"])
    left_with_clients = RelationshipManagerFactory(
        branch=branch, name="待交接", status=RmStatus.INACTIVE
    )
    waiting = ClientFactory(branch=branch, name="待分配")
    AssignmentFactory(client=waiting, rm=left_with_clients)
    http = login(supervisor)
    assert offered(http.get(LIST), "rm") == {str(rm.pk), str(left_with_clients.pk)}
    refused = http.get(LIST, {"rm": inactive.pk})
    assert refused.context["filter"].errors.keys() == {"rm"}
    assert http.get(LIST, {"rm": signed_off.pk}).context["filter"].errors.keys() == {"rm"}
    found = http.get(LIST, {"rm": left_with_clients.pk})
    assert [c.pk for c in found.context["page_obj"]] == [waiting.pk]


def test_the_next_page_keeps_the_filters_and_nothing_a_parameter_name_smuggles_in(
    login, supervisor, branch
):
    for n in range(51):
        ClientFactory(branch=branch, client_no=f"C{n:05d}", status="standard")
    # A parameter whose name holds "&status=vip": the next page must not turn it into a filter.
    response = login(supervisor).get(f"{LIST}?kind=personal&x%26status%3Dvip=1")
    body = response.content.decode()
    next_link = re.search(r'href="\?([^"]*page=2)"', body).group(1).replace("&amp;", "&")
    assert "kind=personal" in next_link
    assert "&status=vip" not in next_link
    second = login(supervisor).get(f"{LIST}?{next_link}")
    assert second.context["filter"].chosen == {"kind": "personal"}
    assert len(second.context["page_obj"]) == 1
