"""Client list, dossier, import page, overrides and preferences: scope, behaviour, bad input,
bounded queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Proposal
from clients.models import Client, StatusChange, StatusOverride, VipStatus
from core import memo
from core.registry import DossierPanel, registry
from core.roles import Role
from tests.factories.clients import AccountFactory, BalanceFactory, ClientFactory, TradeFactory
from tests.factories.core import UserFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")


def detail(client) -> str:
    return reverse("clients:detail", args=[client.pk])


def panel(client, key: str) -> str:
    return reverse("clients:panel", args=[client.pk, key])


def fragment(http, url: str, **params):
    """A dossier panel as the dossier's script fetches it."""
    return http.get(url, params, headers={"X-Fragment": "1"})


def count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx)


# --- scope ----------------------------------------------------------------------------------------


def test_rm_lists_only_own_clients(login, rm_user, client_of_rm, client_of_colleague):
    response = login(rm_user).get(LIST)
    assert response.status_code == 200
    names = [c.name for c in response.context["page_obj"]]
    assert names == [client_of_rm.name]


def test_branch_staff_list_their_branch_with_masked_phones(
    login, branch_staff, client_of_rm, client_of_colleague, client_elsewhere
):
    response = login(branch_staff).get(LIST)
    shown = {c.pk for c in response.context["page_obj"]}
    assert shown == {client_of_rm.pk, client_of_colleague.pk}
    body = response.content.decode()
    assert "13800138000" not in body
    assert "*******8000" in body


def test_supervisor_lists_every_client(login, supervisor, client_of_rm, client_elsewhere):
    response = login(supervisor).get(LIST)
    assert {c.pk for c in response.context["page_obj"]} == {client_of_rm.pk, client_elsewhere.pk}


@pytest.mark.parametrize("persona", ["feedback_user", "outsider"])
def test_feedback_team_and_outsiders_get_404(request, login, persona, client_of_rm):
    http = login(request.getfixturevalue(persona))
    assert http.get(LIST).status_code == 404
    assert http.get(detail(client_of_rm)).status_code == 404


def test_rm_cannot_open_a_colleagues_client(login, rm_user, client_of_colleague):
    assert login(rm_user).get(detail(client_of_colleague)).status_code == 404


def test_branch_staff_open_own_branch_masked_but_not_other_branch(
    login, branch_staff, client_of_rm, client_elsewhere
):
    http = login(branch_staff)
    response = http.get(detail(client_of_rm))
    assert response.status_code == 200
    body = response.content.decode()
    assert client_of_rm.id_number not in body
    assert client_of_rm.id_number[:3] + "*" in body
    assert 'data-testid="reveal-pii"' not in body
    assert http.get(detail(client_elsewhere)).status_code == 404
    assert http.post(reverse("clients:reveal", args=[client_of_rm.pk])).status_code == 404


def test_supervisor_opens_any_dossier(login, supervisor, client_elsewhere):
    assert login(supervisor).get(detail(client_elsewhere)).status_code == 200


# --- search ---------------------------------------------------------------------------------------


def test_one_match_goes_straight_to_the_dossier(login, supervisor, client_of_rm, client_elsewhere):
    response = login(supervisor).get(LIST, {"q": client_of_rm.client_no})
    assert response.status_code == 302
    assert response.url == detail(client_of_rm)


def test_search_by_phone_in_any_format(login, supervisor, client_of_rm, client_elsewhere):
    response = login(supervisor).get(LIST, {"q": "+86 138-0013-8000"})
    assert response.status_code == 302
    assert response.url == detail(client_of_rm)


def test_several_matches_list_them(login, supervisor, branch):
    ClientFactory(name="王小明", branch=branch)
    ClientFactory(name="王小红", branch=branch)
    response = login(supervisor).get(LIST, {"q": "王小"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2


def test_search_outside_scope_finds_nothing(login, rm_user, client_of_colleague):
    response = login(rm_user).get(LIST, {"q": client_of_colleague.client_no})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "No client matches" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"status": "gold"},
        {"kind": "alien"},
        {"branch": "not-a-number"},
        {"rm": "999999"},
        {"at_risk": "maybe"},
        {"sort": "password"},
        {"sort": "-assets"},
        {"q": "x" * 500},
    ],
)
def test_bad_query_parameters_never_fail(login, supervisor, client_of_rm, params):
    assert login(supervisor).get(LIST, params).status_code == 200


def test_filters_narrow_the_list(login, supervisor, client_of_rm, client_elsewhere):
    http = login(supervisor)
    response = http.get(LIST, {"status": "vip"})
    assert [c.pk for c in response.context["page_obj"]] == [client_of_rm.pk]
    response = http.get(LIST, {"branch": client_elsewhere.branch_id})
    assert [c.pk for c in response.context["page_obj"]] == [client_elsewhere.pk]
    response = http.get(LIST, {"rm": client_of_rm.assignments.get().rm_id})
    assert [c.pk for c in response.context["page_obj"]] == [client_of_rm.pk]


@pytest.mark.parametrize(
    ("language", "says"),
    [("zh-hans", "选择一个有效的选项"), ("en", "Select a valid choice")],
)
def test_a_bad_filter_is_reported_in_the_users_language_and_the_others_still_apply(
    login, supervisor, client_of_rm, client_elsewhere, language, says
):
    response = login(supervisor, language=language).get(
        LIST,
        {"status": "gold", "kind": client_elsewhere.kind, "branch": client_elsewhere.branch_id},
    )
    assert response.status_code == 200
    assert response.context["filter"].errors.keys() == {"status"}
    body = response.content.decode()
    assert says in body and "gold" in body
    # Marked for screen readers, the message tied to its field.
    assert 'id="id_status" aria-invalid="true" aria-describedby="id_status_error"' in body
    assert 'id="id_status_error"' in body
    # The valid filters applied, and show as chosen.
    assert [c.pk for c in response.context["page_obj"]] == [client_elsewhere.pk]
    assert f'<option value="{client_elsewhere.branch_id}" selected>' in body


def test_a_missing_branch_is_refused_and_the_at_risk_box_stays_ticked(
    login, branch_staff, client_of_rm, client_elsewhere
):
    response = login(branch_staff).get(LIST, {"branch": "999999", "at_risk": "on"})
    assert response.context["filter"].errors.keys() == {"branch"}
    assert 'id="id_at_risk" checked' in response.content.decode()


def test_sort_by_assets_descending(login, supervisor, branch):
    small = ClientFactory(branch=branch, total_assets=Decimal("10"))
    big = ClientFactory(branch=branch, total_assets=Decimal("9000000"))
    response = login(supervisor).get(LIST, {"sort": "-assets"})
    assert [c.pk for c in response.context["page_obj"]][:2] == [big.pk, small.pk]


def test_list_query_count_does_not_grow_with_rows(login, supervisor, branch, rm):
    for _ in range(3):
        AssignmentFactory(
            client=ClientFactory(
                branch=branch, status=VipStatus.VIP_AT_RISK, at_risk_since=timezone.localdate()
            ),
            rm=rm,
        )
    http = login(supervisor)
    count_queries(http, LIST)  # warms the grace-period cache the badges share
    few = count_queries(http, LIST)
    for _ in range(27):
        AssignmentFactory(
            client=ClientFactory(
                branch=branch, status=VipStatus.VIP_AT_RISK, at_risk_since=timezone.localdate()
            ),
            rm=rm,
        )
    assert count_queries(http, LIST) == few


def test_list_shows_grace_days_left_in_the_badge(login, supervisor, branch):
    ClientFactory(
        branch=branch,
        status=VipStatus.VIP_AT_RISK,
        at_risk_since=timezone.localdate() - datetime.timedelta(days=30),
    )
    body = login(supervisor).get(LIST).content.decode()
    assert "Grace period, 60 days left" in body


def test_export_csv_for_supervisors_is_audited(login, supervisor, rm_user, client_of_rm):
    response = login(supervisor).get(reverse("clients:export"), {"status": "vip"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "client_no,name,kind,branch,status,total_assets,rm"
    assert client_of_rm.client_no in text
    assert LogEntry.objects.filter(changes_text="clients.export_list").exists()
    assert login(rm_user).get(reverse("clients:export")).status_code == 404


def test_export_csv_neutralises_a_formula_name_and_keeps_assets_a_number(
    login, supervisor, client_of_rm
):
    client_of_rm.name = "=1+2"
    client_of_rm.save(update_fields=["name"])
    response = login(supervisor).get(reverse("clients:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == client_of_rm.client_no)
    assert row[1] == "'=1+2"
    assert row[5] == f"{client_of_rm.total_assets:.2f}"


# --- dossier --------------------------------------------------------------------------------------


def _with_history(client, n: int):
    account = AccountFactory(client=client)
    for i in range(n):
        BalanceFactory(
            account=account,
            as_of=timezone.localdate() - datetime.timedelta(days=i),
            balance=Decimal("1000"),
        )
        TradeFactory(account=account, client=client)


def test_dossier_view_is_audited(login, rm_user, client_of_rm):
    login(rm_user).get(detail(client_of_rm))
    entry = LogEntry.objects.get(changes_text="dossier.view")
    assert entry.object_pk == str(client_of_rm.pk)
    assert entry.actor == rm_user


def test_dossier_query_count_is_the_same_for_3_and_30_trades(login, rm_user, client_of_rm, rm):
    _with_history(client_of_rm, 3)
    other = ClientFactory(branch=client_of_rm.branch, status=VipStatus.VIP)
    AssignmentFactory(client=other, rm=rm)
    _with_history(other, 30)
    http = login(rm_user)
    http.get(LIST)  # the session's first "last seen" write (then once a minute)
    http.get(detail(other))  # the policy in force, then kept a minute (policy_in_force)
    assert count_queries(http, detail(client_of_rm)) == count_queries(http, detail(other))


def test_dossier_shows_qualification_gaps_and_trades_paged(login, supervisor, branch):
    client = ClientFactory(branch=branch, relationship_since=datetime.date(2015, 1, 1))
    account = AccountFactory(client=client)
    BalanceFactory(account=account, as_of=timezone.localdate(), balance=Decimal("950000.00"))
    for _ in range(25):
        TradeFactory(
            account=account,
            client=client,
            executed_at=timezone.now() - datetime.timedelta(days=400),
        )
    http = login(supervisor)
    body = http.get(detail(client)).content.decode()
    assert "needs ¥50,000.00 more" in body
    assert "needs 5 more trades" in body
    trades = panel(client, "clients.trades")
    first = fragment(http, trades)
    assert first.context["trades"].has_next
    assert first.content.decode().count("<tr>") == 1 + 20  # header + a page of 20
    second = fragment(http, trades, tpage="2")
    assert (second.context["trades"].number, len(second.context["trades"])) == (2, 5)
    assert not second.context["trades"].has_next
    assert fragment(http, trades, tpage="zzz").context["trades"].number == 1
    assert fragment(http, trades, tpage="99").status_code == 200


def test_own_rm_reveals_pii_and_it_is_logged(login, rm_user, client_of_rm):
    http = login(rm_user)
    assert "13800138000" not in http.get(detail(client_of_rm)).content.decode()
    response = http.post(reverse("clients:reveal", args=[client_of_rm.pk]))
    assert response.status_code == 302
    assert "13800138000" in http.get(detail(client_of_rm)).content.decode()
    assert LogEntry.objects.filter(changes_text="client.pii_reveal").count() == 1


def test_rm_edits_preferences(login, rm_user, client_of_rm):
    response = login(rm_user).post(
        reverse("clients:preferences", args=[client_of_rm.pk]),
        {
            "preferred_channel": "wechat",
            "contact_window_start": "19:00",
            "contact_window_end": "21:00",
            "preferred_language": "en",
            "interests": "golf",
            "risk_level": "R4",
        },
    )
    assert response.status_code == 302
    client_of_rm.refresh_from_db()
    assert (client_of_rm.preferred_channel, client_of_rm.risk_level) == ("wechat", "R4")
    assert client_of_rm.contact_window_start == datetime.time(19, 0)


def test_bad_preferences_change_nothing(login, rm_user, client_of_rm):
    http = login(rm_user)
    response = http.post(
        reverse("clients:preferences", args=[client_of_rm.pk]),
        {
            "preferred_channel": "pigeon",
            "contact_window_start": "21:00",
            "contact_window_end": "19:00",
            "preferred_language": "en",
            "risk_level": "R9",
        },
        follow=True,
    )
    assert response.status_code == 200
    client_of_rm.refresh_from_db()
    assert client_of_rm.preferred_channel == "phone"


def test_branch_staff_cannot_edit_preferences(login, branch_staff, client_of_rm):
    response = login(branch_staff).post(
        reverse("clients:preferences", args=[client_of_rm.pk]), {"risk_level": "R5"}
    )
    assert response.status_code == 404


def test_supervisor_overrides_and_revokes(login, supervisor, client_elsewhere):
    http = login(supervisor)
    ends = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = http.post(
        reverse("clients:override", args=[client_elsewhere.pk]),
        {"status": "vip", "reason": "strategic relationship", "ends_on": ends},
    )
    assert response.status_code == 302
    # Four eyes (SPEC section 4): nothing changes until a second supervisor approves.
    client_elsewhere.refresh_from_db()
    assert client_elsewhere.status == VipStatus.STANDARD
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("approvals:detail", args=[proposal.pk])
    colleague = UserFactory(username="boss2", branch=None, role=Role.SUPERVISOR)
    login(colleague).post(reverse("approvals:approve", args=[proposal.pk]))
    client_elsewhere.refresh_from_db()
    assert client_elsewhere.status == VipStatus.VIP
    change = StatusChange.objects.get(client=client_elsewhere)
    assert change.override.created_by == supervisor
    assert change.override.reason == "strategic relationship"
    body = fragment(http, panel(client_elsewhere, "clients.overrides")).content.decode()
    assert "strategic relationship" in body
    override = StatusOverride.objects.get()
    revoked = http.post(reverse("clients:override_revoke", args=[client_elsewhere.pk, override.pk]))
    assert revoked.url.endswith("#overrides")
    override.refresh_from_db()
    assert override.revoked_at is not None


def test_override_with_a_past_end_date_is_refused(login, supervisor, client_elsewhere):
    http = login(supervisor)
    http.post(
        reverse("clients:override", args=[client_elsewhere.pk]),
        {"status": "vip", "reason": "x", "ends_on": "2000-01-01"},
    )
    assert StatusOverride.objects.count() == 0
    http.post(
        reverse("clients:override", args=[client_elsewhere.pk]),
        {"status": "vip", "reason": "x", "ends_on": "not a date"},
    )
    assert StatusOverride.objects.count() == 0


def test_rm_cannot_override(login, rm_user, client_of_rm):
    ends = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = login(rm_user).post(
        reverse("clients:override", args=[client_of_rm.pk]),
        {"status": "standard", "reason": "x", "ends_on": ends},
    )
    assert response.status_code == 404
    client_of_rm.refresh_from_db()
    assert client_of_rm.status == VipStatus.VIP


# --- import page ----------------------------------------------------------------------------------


def upload(http, kind: str, text: str, encoding: str = "utf-8"):
    """Upload, let the worker's task run (eagerly, after the commit) and open the upload's page
    (or the form again, when the form refused the file)."""
    f = io.BytesIO(text.encode(encoding))
    f.name = f"{kind}.csv"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = http.post(reverse("clients:import"), {"kind": kind, "file": f, "encoding": ""})
    return http.get(response.url) if response.status_code == 302 else response


def test_import_page_reports_bad_rows_and_writes_nothing(login, supervisor, branch):
    text = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\nC1,李四,retail,,,,SH001,2020-01-01,true\n"
    response = upload(login(supervisor), "clients", text)
    assert response.status_code == 200
    body = response.content.decode()
    assert "bad kind" in body
    assert Client.objects.count() == 0


def test_import_page_imports_a_good_file(login, supervisor, branch):
    text = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\nC1,李四,personal,,,,SH001,2020-01-01,true\n"
    http = login(supervisor)
    response = upload(http, "clients", text, "gb18030")
    assert response.status_code == 200
    assert Client.objects.get(client_no="C1").name == "李四"
    assert "1 created" in response.content.decode()


def test_import_page_in_chinese(login, supervisor, branch):
    text = "client_no,name\nC1,李四\n"
    body = upload(login(supervisor, language="zh-hans"), "clients", text).content.decode()
    assert "缺少列" in body


def test_import_page_is_for_supervisors_only(login, rm_user, branch_staff):
    assert login(rm_user).get(reverse("clients:import")).status_code == 404
    assert login(branch_staff).get(reverse("clients:import")).status_code == 404


# --- home widgets ---------------------------------------------------------------------------------


def test_rm_home_lists_clients_at_risk_with_the_gap(login, rm_user, rm):
    client = ClientFactory(
        branch=rm.branch,
        status=VipStatus.VIP_AT_RISK,
        vip_since=datetime.date(2024, 1, 1),
        at_risk_since=timezone.localdate() - datetime.timedelta(days=10),
        name="钱多多",
    )
    AssignmentFactory(client=client, rm=rm)
    body = login(rm_user).get("/").content.decode()
    assert "钱多多" in body
    assert "Grace period, 80 days left" in body
    assert "needs ¥1,000,000.00 more" in body


def test_supervisor_home_summarises_last_nights_changes(login, supervisor, client_elsewhere):
    StatusChange.objects.create(
        client=client_elsewhere,
        effective_on=timezone.localdate(),
        from_status="standard",
        to_status="vip",
        reasons={},
    )
    response = login(supervisor).get("/")
    body = response.content.decode()
    assert 'data-testid="widget-status-changes"' in body
    assert "Standard client → VIP client" in body


def test_branch_staff_home_has_a_lookup_card(login, branch_staff):
    assert 'data-testid="widget-client-lookup"' in login(branch_staff).get("/").content.decode()


def test_dossier_renders_other_apps_panels_with_their_context(
    login, rm_user, supervisor, client_of_rm, settings, tmp_path, monkeypatch
):

    (tmp_path / "panel.html").write_text(
        "<p data-testid='test-panel'>{{ greeting }} {{ client.client_no }}</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    panels = dict(registry.dossier_panels)
    panels["test.panel"] = DossierPanel(
        "test.panel",
        1,
        "Test panel",
        "panel.html",
        lambda *, request, client: {"greeting": "hello"},
        frozenset({"supervisor"}),
        "panel-test",
    )
    monkeypatch.setattr(registry, "dossier_panels", panels)
    http = login(supervisor)
    assert "Test panel" in http.get(detail(client_of_rm)).content.decode()
    body = fragment(http, panel(client_of_rm, "test.panel")).content.decode()
    assert body == f"<p data-testid='test-panel'>hello {client_of_rm.client_no}</p>"
    # Without script: the same panel as a page of its own.
    page = http.get(panel(client_of_rm, "test.panel")).content.decode()
    assert "test-panel" in page and "<html" in page
    rm_http = login(rm_user)
    assert "Test panel" not in rm_http.get(detail(client_of_rm)).content.decode()
    assert fragment(rm_http, panel(client_of_rm, "test.panel")).status_code == 404


def test_rm_sees_own_clients_phone_unmasked_in_the_list(login, rm_user, client_of_rm):
    assert "13800138000" in login(rm_user).get(LIST).content.decode()


# --- a million clients (SPEC section 11) -----------------------------------------------------------


def test_a_list_longer_than_the_cap_asks_for_a_narrower_search(
    login, supervisor, branch, monkeypatch
):
    monkeypatch.setattr("clients.views.PAGE_SIZE", 2)
    monkeypatch.setattr("clients.views.LIST_COUNT_CAP", 4)
    for n in range(5):
        ClientFactory(branch=branch, name=f"客户{n}")
    http = login(supervisor)
    response = http.get(LIST)
    assert response.context["page_obj"].paginator.capped
    assert "More than 4 results" in response.content.decode()
    assert http.get(LIST, {"page": 9}).context["page_obj"].number == 2
    assert not http.get(LIST, {"kind": "corporate"}).context["page_obj"].paginator.capped


def test_a_search_shorter_than_3_characters_matches_the_start_or_end_of_names(
    login, supervisor, branch
):
    ClientFactory(name="丁俊", branch=branch)
    ClientFactory(name="丁俊杰", branch=branch)
    ClientFactory(name="王丁俊", branch=branch)  # the given name
    ClientFactory(name="王丁俊杰", branch=branch)  # neither start nor end: a longer text finds it
    response = login(supervisor).get(LIST, {"q": "丁俊"})
    assert sorted(c.name for c in response.context["page_obj"]) == ["丁俊", "丁俊杰", "王丁俊"]


def test_a_longer_search_matches_anywhere_in_names(login, supervisor, branch):
    ClientFactory(name="丁俊杰", branch=branch)
    ClientFactory(name="王丁俊杰", branch=branch)
    ClientFactory(name="王小明", branch=branch)
    response = login(supervisor).get(LIST, {"q": "丁俊杰"})
    assert sorted(c.name for c in response.context["page_obj"]) == ["丁俊杰", "王丁俊杰"]


def test_rm_filter_lists_every_rm_escaped_and_keeps_the_choice(login, supervisor, branch):

    chosen = RelationshipManagerFactory(branch=branch, name="<b>赵</b>")
    other = RelationshipManagerFactory(branch=branch, name="钱")
    mine = ClientFactory(branch=branch, name="甲")
    AssignmentFactory(client=mine, rm=chosen)
    AssignmentFactory(client=ClientFactory(branch=branch, name="乙"), rm=other)
    response = login(supervisor).get(LIST, {"rm": chosen.pk})
    body = response.content.decode()
    assert (
        f'<option value="{chosen.pk}" selected>&lt;b&gt;赵&lt;/b&gt; ({chosen.employee_no})' in body
    )
    assert f'<option value="{other.pk}">钱 ({other.employee_no})</option>' in body
    assert [c.pk for c in response.context["page_obj"]] == [mine.pk]


def test_rm_filter_options_are_read_once_a_minute_per_scope(
    login, supervisor, branch_staff, branch, monkeypatch
):
    clock = [5000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    here = RelationshipManagerFactory(branch=branch, name="孙")
    elsewhere = RelationshipManagerFactory(name="李")
    staff_page = login(branch_staff).get(LIST).content.decode()
    # Branch staff choose among their own branch's RMs only; the supervisor among all.
    # (The RMs' options, not their names: the signed-in user's random name may hold 李 or 周.)
    assert f'value="{here.pk}">孙' in staff_page
    assert f"李 ({elsewhere.employee_no})" not in staff_page
    http = login(supervisor)
    assert f'value="{elsewhere.pk}">李' in http.get(LIST).content.decode()
    newcomer = RelationshipManagerFactory(branch=branch, name="周")
    assert f"周 ({newcomer.employee_no})" not in http.get(LIST).content.decode()
    clock[0] += 61
    assert f'value="{newcomer.pk}">周' in http.get(LIST).content.decode()
    # The kept options never widen what is accepted: another branch's RM is refused.
    refused = login(branch_staff).get(LIST, {"rm": elsewhere.pk})
    assert refused.context["filter"].errors["rm"]
