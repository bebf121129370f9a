"""The top bar's split (issue 14): a role's daily pages in the bar, the rest under "More", so a
supervisor's fifteen entries no longer wrap to two rows at 1280 px."""

import pytest
from django.urls import reverse

from core import navigation
from core.roles import Role


def _names(items) -> list[str]:
    return [i["name"] for i in items]


@pytest.mark.parametrize("role", list(Role))
def test_every_item_of_a_role_is_in_the_bar_or_under_more_once(role):
    bar = navigation.bar_for(role)
    assert sorted(_names(bar["main"]) + _names(bar["more"])) == sorted(
        _names(navigation.items_for(role))
    )


def test_the_supervisor_bar_keeps_the_daily_pages_and_moves_the_rest_under_more():
    bar = navigation.bar_for(Role.SUPERVISOR)
    assert _names(bar["main"]) == [
        "clients:list",
        "managers:board",
        "feedback:queue",
        "approvals:list",
        "analytics:dashboard",
    ]
    assert {"clients:import", "dataruns:list", "core:jobs", "servicedesk:hotline"} <= set(
        _names(bar["more"])
    )
    assert navigation.bar_for(Role.ADMINISTRATOR)["main"] == bar["main"]


def test_the_rm_bar_keeps_the_call_day_in_view():
    bar = navigation.bar_for(Role.RELATIONSHIP_MANAGER)
    assert _names(bar["main"]) == [
        "clients:list",
        "servicedesk:hotline",
        "servicedesk:callbacks",
        "servicedesk:plans",
        "feedback:queue",
        "analytics:my_figures",
    ]
    assert _names(bar["more"]) == ["servicedesk:events", "managers:rota", "managers:training"]


def test_the_page_renders_the_more_menu_with_its_links(login, supervisor):
    page = login(supervisor).get(reverse("core:home")).content.decode()
    assert 'data-testid="nav-more"' in page
    assert f'href="{reverse("clients:import")}"' in page
    assert 'id="global-search"' in page


def test_the_bar_marks_the_section_of_the_page_in_the_language_of_the_user(login, supervisor):
    page = login(supervisor, "zh-hans").get(reverse("feedback:queue")).content.decode()
    assert f'<a class="nav-link active" href="{reverse("feedback:queue")}">' in page
    assert f'<a class="nav-link" href="{reverse("clients:list")}">' in page
    assert ">更多</a>" in page
    english = login(supervisor).get(reverse("clients:import")).content.decode()
    # An item under "More" is marked too; the bar is English for an English user.
    assert f'<a class="dropdown-item active" href="{reverse("clients:import")}">' in english
    assert f'<a class="nav-link" href="{reverse("feedback:queue")}">' in english
    assert ">More</a>" in english


def test_the_home_item_is_never_marked_on_other_pages():
    html = navigation.menu_html(Role.RELATIONSHIP_MANAGER, "/")
    assert "active" not in html.split("dropdown")[0]
