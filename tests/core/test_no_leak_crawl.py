"""Objects outside a user's scope never show on any door (SPEC section 1): a client of another
RM and one of another branch, each with one of everything a page can list (ticket, call,
call-back, wealth plan, invitation, retention task, status change), their names, client numbers
and the texts written on them used as canaries. Each role crawls every page and export it can
reach from its home and the URLconf's plain routes (links and GET forms followed, fragments the
pages load named by ``data-url``), and no response may carry a canary of a client it may not see.

Generated, not hand-listed: a new page, panel, export or widget is crawled without being named."""

import datetime
import re
from collections import defaultdict

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from feedback.services.opening import ticket_create
from retention.models import RetentionTask
from servicedesk.models import CallTopic
from tests.core.crawl import PageParser, split
from tests.core.urlconf import routes, sample_path
from tests.factories.analytics import StatusChangeFactory
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory
from tests.factories.servicedesk import (
    CallbackFactory,
    CallLogFactory,
    EventFactory,
    InvitationFactory,
    WealthPlanFactory,
)

pytestmark = pytest.mark.django_db

SKIP = ("/accounts/logout/", "/language/", "/admin/", "/static/", "/feedback/api/")
VISITS_PER_ROUTE = 6
_DATA_URL = re.compile(r'data-(?:url|src|panel-url|href)="([^"]+)"')


def _canary_client(*, branch, rm, tag: str, staff):
    """A VIP with one of everything, each text carrying ``tag``."""
    client = VipClientFactory(branch=branch, name=f"{tag}客户", phone="13911112222")
    if rm is not None:
        AssignmentFactory(client=client, rm=rm)
    today = timezone.localdate()
    CallbackFactory(client=client, due_on=today, notes=f"{tag}回访")
    CallLogFactory(client=client, handled_by=staff, topic=CallTopic.COMPLAINT, notes=f"{tag}来电")
    ticket_create(
        channel="branch",
        category="complaint",
        subject=f"{tag}工单",
        description=f"{tag}描述",
        client=client,
        created_by=staff,
    )
    WealthPlanFactory(client=client, goals=f"{tag}目标")
    InvitationFactory(client=client, event=EventFactory(held_on=today + datetime.timedelta(days=3)))
    RetentionTask.objects.create(
        client=client, rm=rm, reason="asset_drop", figures={"now": "1"}, raised_on=today
    )
    StatusChangeFactory(
        client=client, from_status="vip", to_status="vip_at_risk", effective_on=today
    )
    return client


@pytest.fixture
def canaries(rm, colleague_rm, other_branch, branch_staff, other_branch_staff):
    """``{tag: client}``: the colleague's client (same branch, another RM) and a client of
    another branch with its own RM."""
    far_rm = RelationshipManagerFactory(branch=other_branch)
    return {
        "同行甲": _canary_client(
            branch=colleague_rm.branch, rm=colleague_rm, tag="同行甲", staff=colleague_rm.user
        ),
        "外行乙": _canary_client(
            branch=other_branch, rm=far_rm, tag="外行乙", staff=other_branch_staff
        ),
    }


def _route_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def _crawl(http, start: list[str]) -> dict[str, str]:
    """Every page and export reachable from ``start``: ``{url: body}``."""
    seen: dict[str, str] = {}
    per_route: dict[str, int] = defaultdict(int)
    queue = list(start)
    while queue:
        url = queue.pop(0)
        if url in seen or any(url.startswith(s) for s in SKIP):
            continue
        path, query = split(url)
        route = _route_name(path)
        if not route or per_route[route] >= VISITS_PER_ROUTE:
            continue
        per_route[route] += 1
        response = http.get(path, query)
        if response.status_code != 200:
            seen[url] = ""
            continue
        raw = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        )
        body = raw.decode("utf-8", "replace")  # exports (CSV streamed) are searched too
        seen[url] = body
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser(f"http://testserver{url}")
        parser.feed(body)
        local = "http://testserver"
        links = [link[len(local) :] for link in parser.links if link.startswith(local)]
        for form in parser.forms:
            if form.method == "get" and form.action.startswith(local):
                links.append(form.action[len(local) :])
        links += _DATA_URL.findall(body)
        queue.extend(link.replace("&amp;", "&") for link in links)
    return seen


# Which canaries each persona may see: the RM neither (another RM's and another branch's),
# branch staff their own branch's colleague client, the service-wide roles both.
HIDDEN = {
    "rm_user": {"同行甲", "外行乙"},
    "branch_staff": {"外行乙"},
    "other_branch_staff": {"同行甲"},
    "feedback_user": set(),  # the feedback team handles every ticket
}


@pytest.mark.parametrize("persona", sorted(HIDDEN))
def test_no_page_or_export_shows_a_client_outside_the_users_scope(
    login, request, persona, canaries, client_of_rm
):
    user = request.getfixturevalue(persona)
    plain = [sample_path(r) for r in routes() if not r.params]
    pages = _crawl(login(user), ["/", *plain])
    assert len(pages) > 15
    leaks = []
    for tag in HIDDEN[persona]:
        client = canaries[tag]
        needles = {tag, client.client_no}
        for url, body in pages.items():
            for needle in needles:
                if needle in body:
                    at = body.index(needle)
                    leaks.append(f"{url}: {needle!r} …{body[max(0, at - 80) : at + 40]!r}")
    assert leaks == []


@pytest.mark.parametrize(
    ("persona", "tag"),
    [
        ("supervisor", "同行甲"),
        ("supervisor", "外行乙"),
        ("branch_staff", "同行甲"),
        ("rm_user", "王芳"),
    ],
)
def test_the_crawl_finds_the_canaries_a_user_may_see(
    login, request, persona, tag, canaries, client_of_rm
):
    """The control: the same crawl does reach these clients' objects where they are in scope."""
    user = request.getfixturevalue(persona)
    plain = [sample_path(r) for r in routes() if not r.params]
    pages = _crawl(login(user), ["/", *plain])
    found = [url for url, body in pages.items() if tag in body]
    assert len(found) >= 3, found
