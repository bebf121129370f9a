"""Pages: who may see what (404 outside scope), the hotline console, call-back outcome form, plan
form, events; query counts that do not grow with the data; bad input gives messages, not 500s."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from core.models import Notification
from servicedesk.models import (
    Callback,
    CallbackStatus,
    CallLog,
    Invitation,
    PlanStatus,
    WealthPlan,
)
from servicedesk.selectors import calls_for_user
from servicedesk.services import callbacks_generate
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, ShiftFactory
from tests.factories.servicedesk import (
    CallbackFactory,
    CallLogFactory,
    EventFactory,
    InvitationFactory,
    ProductFactory,
    WealthPlanFactory,
)

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOV_20 = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


# --- Hotline -------------------------------------------------------------------------------------


@pytest.fixture
def caller(client_of_rm, phone_indexed):
    return phone_indexed(client_of_rm, "13800138000")


def lookup(http, phone: str):
    """POST a number to the console and return the caller page's response (the number never
    appears in a URL)."""
    response = http.post(reverse("servicedesk:hotline"), {"phone": phone})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_lookup_shows_client_and_who_answers(login, rm_user, rm, caller):
    ShiftFactory(rm=rm)
    http = login(rm_user)
    page = http.get(lookup(http, "+86 138-0013-8000"))
    assert page.status_code == 200
    html = page.content.decode()
    assert caller.name in html
    assert 'data-kind="own_rm"' in html
    assert "13800138000" in html  # own RM sees the number unmasked


def test_lookup_redirects_to_a_url_without_the_number(login, branch_staff):
    http = login(branch_staff)
    url = lookup(http, "0086 138 0013 8000")
    assert url.startswith("/service/hotline/caller/")
    assert "138" not in url and "8000" not in url
    assert lookup(http, "138-0013-8000") == url  # the same number, the same page


def test_a_caller_page_from_another_session_asks_to_look_up_again(login, branch_staff):
    url = lookup(login(branch_staff), "13800138000")
    response = login(branch_staff).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:hotline")


def test_branch_staff_see_the_caller_masked(login, branch_staff, caller):
    http = login(branch_staff)
    html = http.get(lookup(http, "13800138000")).content.decode()
    assert caller.name in html
    card = html[html.index('data-testid="client-card"') : html.index('data-testid="who-answers"')]
    assert "*******8000" in card
    assert "13800138000" not in card
    assert caller.id_number not in card
    assert 'data-kind="uncovered"' in html


@pytest.mark.parametrize("phone", ["hello", "12", "138 00x"])
def test_bad_number_shows_an_error_not_500(login, branch_staff, phone):
    response = login(branch_staff).post(reverse("servicedesk:hotline"), {"phone": phone})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_a_get_with_the_number_in_the_query_looks_nothing_up(login, branch_staff, caller):
    response = login(branch_staff).get(reverse("servicedesk:hotline"), {"phone": "13800138000"})
    assert response.status_code == 200
    assert caller.name not in response.content.decode()


def test_logging_a_call_from_the_console(login, branch_staff, caller, supervisor):
    http = login(branch_staff)
    url = lookup(http, "13800138000")
    response = http.post(url, {"topic": "complaint", "notes": "转账延迟"})
    call = CallLog.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?call={call.pk}")
    assert (call.client, call.handled_by, call.answered_by_kind) == (
        caller,
        branch_staff,
        "uncovered",
    )
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    page = http.get(response["Location"]).content.decode()
    assert 'data-testid="logged-call"' in page


def test_call_form_with_bad_topic_logs_nothing(login, branch_staff, caller):
    http = login(branch_staff)
    response = http.post(lookup(http, "13800138000"), {"topic": "gossip"})
    assert response.status_code == 200
    assert not CallLog.objects.exists()


def test_unknown_caller_page(login, branch_staff):
    http = login(branch_staff)
    html = http.get(lookup(http, "021-6888 8888")).content.decode()
    assert 'data-testid="unknown-caller"' in html


@pytest.mark.parametrize("persona", ["feedback_user", "outsider"])
def test_hotline_is_404_for_roles_without_it(login, request, persona):
    user = request.getfixturevalue(persona)
    assert login(user).get(reverse("servicedesk:hotline")).status_code == 404
    assert (
        login(user).post(reverse("servicedesk:hotline"), {"phone": "1380013800"}).status_code == 404
    )
    assert login(user).get("/service/hotline/caller/0123456789abcdef0123/").status_code == 404


def test_hotline_queries_do_not_grow_with_recent_calls(
    login, rm_user, rm, caller, django_assert_num_queries
):
    http = login(rm_user)
    CallLogFactory.create_batch(2, client=caller, handled_by=rm_user)
    url = lookup(http, "13800138000")
    http.get(url)
    with CaptureQueriesContext(connection) as small:
        http.get(url)
    CallLogFactory.create_batch(20, client=caller, handled_by=rm_user)
    with django_assert_num_queries(len(small.captured_queries)):
        http.get(url)


def test_rm_sees_calls_of_own_clients_only(login, rm_user, client_of_colleague, branch_staff):

    theirs = CallLogFactory(client=client_of_colleague, handled_by=branch_staff)
    assert theirs not in calls_for_user(user=rm_user)


# --- Call-backs ------------------------------------------------------------------------------------


@pytest.fixture
def my_callback(client_of_rm):
    return CallbackFactory(client=client_of_rm, rm=client_of_rm.assignments.get().rm)


@pytest.fixture
def their_callback(client_of_colleague):
    return CallbackFactory(client=client_of_colleague)


@time_machine.travel(NOV_20)
def test_rm_worklist_shows_own_callbacks_only(login, rm_user, my_callback, their_callback):
    html = login(rm_user).get(reverse("servicedesk:callbacks") + "?tab=open").content.decode()
    assert my_callback.client.name in html
    assert their_callback.client.name not in html


@time_machine.travel(NOV_20)
def test_rm_gets_404_for_another_rms_callback(login, rm_user, their_callback):
    url = reverse("servicedesk:callback_detail", args=[their_callback.pk])
    assert login(rm_user).get(url).status_code == 404
    assert login(rm_user).post(url, {"outcome": "reached"}).status_code == 404


@time_machine.travel(NOV_20)
def test_supervisor_sees_all_callbacks(login, supervisor, my_callback, their_callback):
    html = login(supervisor).get(reverse("servicedesk:callbacks") + "?tab=open").content.decode()
    assert my_callback.client.name in html and their_callback.client.name in html


@pytest.mark.parametrize("persona", ["branch_staff", "feedback_user"])
def test_branch_staff_have_no_callbacks_or_plans(login, request, persona, my_callback):
    plan = WealthPlanFactory(client=my_callback.client)
    http = login(request.getfixturevalue(persona))
    for url in (
        reverse("servicedesk:callbacks"),
        reverse("servicedesk:callback_detail", args=[my_callback.pk]),
        reverse("servicedesk:plans"),
        reverse("servicedesk:plan_detail", args=[plan.pk]),
        reverse("servicedesk:events"),
    ):
        assert http.get(url).status_code == 404, url


@time_machine.travel(NOV_20)
def test_overdue_tab_lists_last_months_open_callbacks(login, rm_user, client_of_rm, my_callback):
    late = CallbackFactory(
        client=client_of_rm,
        period=datetime.date(2026, 10, 1),
        due_on=datetime.date(2026, 10, 31),
        rm=my_callback.rm,
    )
    response = login(rm_user).get(reverse("servicedesk:callbacks") + "?tab=overdue")
    rows = list(response.context["page_obj"])
    assert rows == [late]
    assert response.context["counts"]["overdue"] == 1


@time_machine.travel(NOV_20)
def test_recording_not_reached_without_retry_date_shows_error(login, rm_user, my_callback):
    url = reverse("servicedesk:callback_detail", args=[my_callback.pk])
    response = login(rm_user).post(url, {"outcome": "not_reached"})
    assert response.status_code == 200
    assert response.context["form"].errors["retry_on"]
    my_callback.refresh_from_db()
    assert my_callback.status == CallbackStatus.PENDING


@time_machine.travel(NOV_20)
@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_bad_score_is_an_error(login, rm_user, my_callback, score):
    url = reverse("servicedesk:callback_detail", args=[my_callback.pk])
    response = login(rm_user).post(url, {"outcome": "reached", "satisfaction_score": score})
    assert response.status_code == 200
    assert response.context["form"].errors
    my_callback.refresh_from_db()
    assert not my_callback.is_completed


@time_machine.travel(NOV_20)
def test_recording_reached_completes_and_redirects(login, rm_user, my_callback):
    url = reverse("servicedesk:callback_detail", args=[my_callback.pk])
    response = login(rm_user).post(
        url, {"outcome": "reached", "satisfaction_score": "4", "needs": "养老"}
    )
    assert response.status_code == 302
    my_callback.refresh_from_db()
    assert my_callback.status == CallbackStatus.DONE and my_callback.satisfaction_score == 4


@time_machine.travel(NOV_20)
@pytest.mark.parametrize("tab", ["week", "open", "overdue", "done"])
def test_worklist_queries_constant_with_data_size(
    login, supervisor, branch, tab, django_assert_num_queries
):

    http = login(supervisor)
    url = reverse("servicedesk:callbacks") + f"?tab={tab}"

    def make(n, month):
        for _i in range(n):
            CallbackFactory(
                client=VipClientFactory(branch=branch),
                period=datetime.date(2026, month, 1),
                due_on=datetime.date(2026, month, 28 if month == 10 else 30),
            )

    make(3, 11)
    make(3, 10)
    http.get(url)
    with CaptureQueriesContext(connection) as small:
        http.get(url)
    make(15, 11)
    make(15, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        http.get(url)


def test_home_widgets_render_for_rm_and_supervisor(login, rm_user, supervisor, my_callback):
    WealthPlanFactory(
        client=my_callback.client, next_review_on=datetime.date.today(), rm=my_callback.rm
    )
    rm_home = login(rm_user).get("/").content.decode()
    assert 'data-testid="widget-servicedeskcallbacks_today"' in rm_home
    assert 'data-testid="widget-servicedeskplans_due"' in rm_home
    assert my_callback.client.name in rm_home
    boss_home = login(supervisor).get("/").content.decode()
    assert 'data-testid="widget-servicedeskcallbacks_overdue"' in boss_home


# --- Wealth plans ----------------------------------------------------------------------------------


def _plan_post(**overrides):
    data = {
        "goals": "子女教育",
        "horizon_months": "60",
        "risk_level": "R3",
        "advice": "",
        "next_review_on": "",
        "alloc-TOTAL_FORMS": "4",
        "alloc-INITIAL_FORMS": "0",
        "alloc-MIN_NUM_FORMS": "4",
        "alloc-MAX_NUM_FORMS": "6",
        "alloc-0-asset_class": "cash",
        "alloc-0-percent": "40",
        "alloc-1-asset_class": "equity",
        "alloc-1-percent": "60",
    }
    return data | overrides


@pytest.fixture
def r3_client(client_of_rm):
    Client.objects.filter(pk=client_of_rm.pk).update(risk_level="R3")
    return client_of_rm


def test_rm_creates_a_plan(login, rm_user, r3_client):
    product = ProductFactory(code="MIX", risk_rating="R3")
    url = reverse("servicedesk:plan_new") + f"?client={r3_client.pk}"
    http = login(rm_user)
    assert http.get(url).status_code == 200
    response = http.post(url, _plan_post(products=[str(product.pk)]))
    plan = WealthPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("servicedesk:plan_detail", args=[plan.pk])
    assert list(plan.products.all()) == [product]
    assert http.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("second", ["59.99", "60.01"])
def test_plan_form_refuses_allocation_off_by_a_cent(login, rm_user, r3_client, second):
    url = reverse("servicedesk:plan_new") + f"?client={r3_client.pk}"
    response = login(rm_user).post(url, _plan_post(**{"alloc-1-percent": second}))
    assert response.status_code == 200
    assert 'data-testid="allocation-error"' in response.content.decode()
    assert not WealthPlan.objects.exists()


def test_plan_form_says_why_a_product_is_unsuitable(login, rm_user, r3_client):
    product = ProductFactory(code="EQ-9", risk_rating="R4")
    url = reverse("servicedesk:plan_new") + f"?client={r3_client.pk}"
    response = login(rm_user).post(url, _plan_post(products=[str(product.pk)]))
    assert response.status_code == 200
    assert "R4" in str(response.context["form"].errors["products"])
    assert not WealthPlan.objects.exists()


def test_plan_form_bad_input_is_not_500(login, rm_user, r3_client):
    url = reverse("servicedesk:plan_new") + f"?client={r3_client.pk}"
    response = login(rm_user).post(
        url, _plan_post(horizon_months="abc", risk_level="R9", **{"alloc-0-percent": "x"})
    )
    assert response.status_code == 200
    assert login(rm_user).post(url, {"goals": "x"}).status_code in (200, 400)
    assert login(rm_user).get(reverse("servicedesk:plan_new") + "?client=abc").status_code == 404


def test_rm_cannot_plan_for_another_rms_client(login, rm_user, client_of_colleague):
    url = reverse("servicedesk:plan_new") + f"?client={client_of_colleague.pk}"
    assert login(rm_user).get(url).status_code == 404
    assert login(rm_user).post(url, _plan_post()).status_code == 404
    response = login(rm_user).get(
        reverse("servicedesk:plan_new"), {"client_no": client_of_colleague.client_no}
    )
    assert response.status_code == 302 and "client=" not in response["Location"]


def test_plan_scope(login, rm_user, supervisor, client_of_rm, client_of_colleague):
    mine = WealthPlanFactory(client=client_of_rm)
    theirs = WealthPlanFactory(client=client_of_colleague)
    http = login(rm_user)
    assert http.get(reverse("servicedesk:plan_detail", args=[mine.pk])).status_code == 200
    for name in ("plan_detail", "plan_edit"):
        assert http.get(reverse(f"servicedesk:{name}", args=[theirs.pk])).status_code == 404
    assert (
        http.post(
            reverse("servicedesk:plan_status", args=[theirs.pk]), {"status": "presented"}
        ).status_code
        == 404
    )
    listing = http.get(reverse("servicedesk:plans")).context["page_obj"]
    assert list(listing) == [mine]
    assert (
        login(supervisor).get(reverse("servicedesk:plans")).context["page_obj"].paginator.count == 2
    )


def test_plan_status_buttons_follow_the_flow(login, rm_user, client_of_rm):
    plan = WealthPlanFactory(client=client_of_rm)
    http = login(rm_user)
    url = reverse("servicedesk:plan_status", args=[plan.pk])
    http.post(url, {"status": "accepted"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    http.post(url, {"status": "presented"})
    http.post(url, {"status": "accepted"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    edit = http.get(reverse("servicedesk:plan_edit", args=[plan.pk]))
    assert edit.status_code == 302
    assert http.post(url, {"status": "nonsense"}).status_code == 302


def test_plan_list_queries_constant(login, supervisor, branch, django_assert_num_queries):

    http = login(supervisor)
    for _i in range(3):
        WealthPlanFactory(client=VipClientFactory(branch=branch))
    http.get(reverse("servicedesk:plans"))
    with CaptureQueriesContext(connection) as small:
        http.get(reverse("servicedesk:plans"))
    for _i in range(20):
        WealthPlanFactory(client=VipClientFactory(branch=branch))
    with django_assert_num_queries(len(small.captured_queries)):
        http.get(reverse("servicedesk:plans"))


# --- Events ----------------------------------------------------------------------------------------


def test_supervisor_creates_event_and_invites_by_filter(login, supervisor, branch, other_branch):
    golfer = VipClientFactory(branch=branch, interests="高尔夫")
    VipClientFactory(branch=other_branch, interests="高尔夫")
    http = login(supervisor)
    response = http.post(
        reverse("servicedesk:event_new"),
        {"title": "高尔夫邀请赛", "held_on": "2026-12-20", "place": "佘山", "cost": "3200.00"},
    )
    assert response.status_code == 302
    event_url = response["Location"]
    http.post(event_url, {"branch": str(branch.pk), "status": "", "interests": "高尔夫"})
    assert list(Invitation.objects.values_list("client", flat=True)) == [golfer.pk]


def test_event_form_bad_input(login, supervisor):
    response = login(supervisor).post(
        reverse("servicedesk:event_new"),
        {"title": "", "held_on": "2026-13-40", "place": "x", "cost": "-5"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"title", "held_on"}


def test_rm_cannot_create_events_and_invites_only_own_clients(
    login, rm_user, client_of_rm, client_of_colleague
):
    http = login(rm_user)
    assert http.get(reverse("servicedesk:event_new")).status_code == 404
    event = EventFactory()
    http.post(reverse("servicedesk:event_detail", args=[event.pk]), {"status": "", "interests": ""})
    assert list(Invitation.objects.values_list("client", flat=True)) == [client_of_rm.pk]


def test_rsvp_update_is_scoped(login, rm_user, client_of_rm, client_of_colleague):
    event = EventFactory(held_on=datetime.date(2026, 1, 5))
    mine = InvitationFactory(event=event, client=client_of_rm)
    theirs = InvitationFactory(event=event, client=client_of_colleague)
    http = login(rm_user)
    http.post(
        reverse("servicedesk:invitation_update", args=[mine.pk]),
        {"rsvp": "accepted", "attended": "on"},
    )
    mine.refresh_from_db()
    assert mine.rsvp == "accepted" and mine.attended
    response = http.post(
        reverse("servicedesk:invitation_update", args=[theirs.pk]), {"rsvp": "accepted"}
    )
    assert response.status_code == 404
    bad = http.post(reverse("servicedesk:invitation_update", args=[mine.pk]), {"rsvp": "maybe"})
    assert bad.status_code == 302


def test_event_pages_queries_constant(login, supervisor, branch, django_assert_num_queries):

    http = login(supervisor)
    event = EventFactory()
    for _i in range(3):
        EventFactory(cost=Decimal("10"))
        InvitationFactory(event=event, client=VipClientFactory(branch=branch))
    urls = [reverse("servicedesk:events"), reverse("servicedesk:event_detail", args=[event.pk])]
    counts = []
    for url in urls:
        http.get(url)
        with CaptureQueriesContext(connection) as small:
            http.get(url)
        counts.append(len(small.captured_queries))
    for _i in range(15):
        EventFactory(cost=Decimal("10"))
        InvitationFactory(event=event, client=VipClientFactory(branch=branch))
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            http.get(url)


def test_callback_generation_assigns_current_rm(rm, branch):

    client = VipClientFactory(branch=branch)
    AssignmentFactory(client=client, rm=rm)
    callbacks_generate(on=datetime.date(2026, 11, 2))
    assert Callback.objects.get(client=client).rm == rm


@time_machine.travel(NOV_20)
def test_callback_follows_the_client_after_reassignment(
    login, rm_user, colleague_rm, client_of_rm, my_callback
):

    client_of_rm.assignments.update(ended_at=timezone.now())
    AssignmentFactory(client=client_of_rm, rm=colleague_rm)
    url = reverse("servicedesk:callback_detail", args=[my_callback.pk])
    assert login(rm_user).get(url).status_code == 404
    assert login(colleague_rm.user).get(url).status_code == 200


@pytest.mark.parametrize("year", ["0000", "abcd", "99999", "2026"])
def test_event_list_year_filter_never_500(login, supervisor, year):
    EventFactory(held_on=datetime.date(2026, 3, 1), cost=Decimal("120.00"))
    response = login(supervisor).get(reverse("servicedesk:events"), {"year": year})
    assert response.status_code == 200
    if year == "2026":
        assert response.context["chart_values"][2] == "120.00"


@time_machine.travel(NOV_20)
def test_posting_to_a_completed_callback_changes_nothing(login, rm_user, my_callback):
    url = reverse("servicedesk:callback_detail", args=[my_callback.pk])
    http = login(rm_user)
    http.post(url, {"outcome": "declined"})
    response = http.post(url, {"outcome": "reached", "satisfaction_score": "5"})
    assert response.status_code == 302
    my_callback.refresh_from_db()
    assert my_callback.status == CallbackStatus.DECLINED and my_callback.satisfaction_score is None


def test_the_logged_call_banner_of_a_call_out_of_scope_or_junk_answers_404(
    login, branch_staff, caller
):
    http = login(branch_staff)
    url = lookup(http, "13800138000")
    http.post(url, {"topic": "complaint", "notes": "转账延迟"})
    mine = CallLog.objects.get()
    assert 'data-testid="logged-call"' in http.get(f"{url}?call={mine.pk}").content.decode()
    theirs = CallLogFactory(client=caller)
    assert http.get(f"{url}?call={theirs.pk}").status_code == 404
    assert http.get(f"{url}?call=x").status_code == 404
