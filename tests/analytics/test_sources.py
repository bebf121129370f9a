"""The figures from the real call-backs, events, tickets and surveys of the servicedesk and
feedback apps (skipped only while those apps are not merged)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from tests.factories.clients import VipClientFactory

fb_factories = pytest.importorskip("tests.factories.feedback")
try:
    from tests.factories import servicedesk as sd_factories
except ImportError:  # servicedesk not merged yet: its tests below are skipped, not faked
    sd_factories = None
needs_servicedesk = pytest.mark.skipif(sd_factories is None, reason="servicedesk not merged")

from analytics.services import year_report  # noqa: E402
from feedback.models import Survey  # noqa: E402
from managers.models import TrainingResult  # noqa: E402
from managers.selectors import training_spend  # noqa: E402
from tests.factories.training import TrainingCourseFactory, TrainingRecordFactory  # noqa: E402

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=TZ)


def at(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def survey(ticket, score, responded_at):
    return Survey.objects.create(
        ticket=ticket,
        token=f"t{ticket.pk}",
        sent_at=responded_at,
        expires_at=responded_at + datetime.timedelta(days=30),
        score=score,
        responded_at=responded_at,
    )


def callback(client, rm=None, *, month, score=None, completed_at=None, needs="", status="pending"):
    period = datetime.date(2026, month, 1)
    due = (
        datetime.date(2026, month % 12 + 1, 1) if month < 12 else datetime.date(2027, 1, 1)
    ) - datetime.timedelta(days=1)
    return sd_factories.CallbackFactory(
        client=client,
        rm=rm,
        period=period,
        due_on=due,
        status=status,
        satisfaction_score=score,
        completed_at=completed_at,
        needs=needs,
    )


@pytest.fixture
def clients(branch):

    return [VipClientFactory(branch=branch) for _ in range(4)]


@needs_servicedesk
def test_satisfaction_counts_survey_and_callback_scores_by_the_month_answered(clients, rm):
    t1 = fb_factories.TicketFactory(client=clients[0], received_at=at(3, 1))
    t2 = fb_factories.TicketFactory(client=clients[1], received_at=at(3, 2))
    survey(t1, 5, at(3, 10))
    survey(t2, 2, at(4, 10))
    callback(clients[2], rm, month=3, score=4, completed_at=at(3, 20), status="done")
    callback(clients[3], rm, month=3, score=3, completed_at=at(3, 21), status="done")
    callback(clients[0], rm, month=4, completed_at=at(4, 21), status="done")  # no score

    report = year_report(year=2026)

    # 5 and 4 of 5, 2, 4, 3 → 2 of 4
    assert (report.satisfaction_good, report.satisfaction_total) == (2, 4)
    assert report.satisfaction_rate == Decimal("0.5000")
    march, april = report.months[2], report.months[3]
    assert march.satisfaction_rate == Decimal("0.6667")  # 5, 4, 3
    assert april.satisfaction_rate == Decimal("0.0000")  # 2


def test_sla_met_rate_counts_tickets_answered_in_time_over_decided_ones(clients):
    on_time = fb_factories.TicketFactory(client=clients[0], received_at=at(10, 1))
    on_time.first_response_at = at(10, 2)
    on_time.save()
    late = fb_factories.TicketFactory(client=clients[1], received_at=at(10, 3))
    late.first_response_at, late.breached_at = at(10, 6), at(10, 5)
    late.save()
    unanswered = fb_factories.TicketFactory(client=clients[2], received_at=at(10, 7))
    unanswered.breached_at = at(10, 9)
    unanswered.save()
    fb_factories.TicketFactory(client=clients[3], received_at=NOW - datetime.timedelta(hours=2))

    report = year_report(year=2026)

    assert (report.sla_met, report.sla_total) == (1, 3)
    assert report.months[9].sla_rate == Decimal("0.3333")
    assert report.months[10].sla_rate is None  # November's ticket is still in time
    assert report.needs_by_channel == {"phone": 4}
    assert report.needs_by_category == {"complaint": 4}


@needs_servicedesk
def test_callback_completion_counts_done_and_declined_over_due(clients, rm):
    callback(clients[0], rm, month=10, completed_at=at(10, 5), status="done")
    callback(clients[1], rm, month=10, completed_at=at(10, 6), status="declined")
    callback(clients[2], rm, month=10)  # overdue
    callback(clients[3], rm, month=11)  # due 30 November: not yet decided

    report = year_report(year=2026)

    assert (report.callbacks_completed, report.callbacks_total) == (2, 3)
    assert report.callback_rate == Decimal("0.6667")
    assert report.months[10].callback_rate is None


@needs_servicedesk
def test_event_costs_feed_the_other_costs_line(db):
    sd_factories.EventFactory(held_on=datetime.date(2026, 5, 1), cost=Decimal("2500.00"))
    sd_factories.EventFactory(held_on=datetime.date(2025, 5, 1), cost=Decimal("9999.00"))

    actual = {b.line: b.actual for b in year_report(year=2026).budget}

    assert actual["other_costs"] == Decimal("2500.00")


def test_training_line_is_the_managers_training_spend(db):
    """One rule (managers.selectors.training_spend): seats booked, absences not charged."""
    course = TrainingCourseFactory(held_on=datetime.date(2026, 4, 1))
    TrainingRecordFactory(course=course)
    TrainingRecordFactory(course=course, result=TrainingResult.ABSENT)
    TrainingRecordFactory(course=TrainingCourseFactory(held_on=datetime.date(2025, 4, 1)))

    actual = {b.line: b.actual for b in year_report(year=2026).budget}

    assert actual["training"] == training_spend(year=2026) == Decimal("3000.00")


@needs_servicedesk
def test_rm_sees_only_their_callbacks_and_their_clients_tickets(
    login, rm_user, rm, colleague_rm, client_of_rm, client_of_colleague
):
    callback(client_of_rm, rm, month=10, score=5, completed_at=at(10, 5), status="done")
    callback(
        client_of_colleague, colleague_rm, month=10, score=1, completed_at=at(10, 5), status="done"
    )
    fb_factories.TicketFactory(client=client_of_rm, received_at=at(9, 1))
    fb_factories.TicketFactory(client=client_of_colleague, received_at=at(9, 1))
    fb_factories.TicketFactory(client=client_of_colleague, received_at=at(9, 2))

    response = login(rm_user).get("/analytics/my-figures/")

    report = response.context["report"]
    assert report.satisfaction_rate == Decimal("1.0000")
    assert (report.callbacks_completed, report.callbacks_total) == (1, 1)
    assert report.tickets == 1
    assert report.vip_count == 1


def test_dashboard_shows_needs_and_keeps_its_query_count_with_more_feedback(
    supervisor, login, clients, rm, django_assert_num_queries, django_assert_max_num_queries
):
    http = login(supervisor)

    def add(n):
        for i in range(n):
            client = clients[i % 4]
            ticket = fb_factories.TicketFactory(
                client=client,
                received_at=at(1 + i % 10, 3),
                channel=["phone", "email", "app"][i % 3],
                category=["complaint", "inquiry"][i % 2],
            )
            survey(ticket, 1 + i % 5, at(1 + i % 10, 4))

    add(3)
    with django_assert_max_num_queries(25) as small:
        html = http.get("/analytics/?year=2026").content.decode()
    assert html.count("<canvas") == 9
    add(20)
    with django_assert_num_queries(len(small.captured_queries)):
        html = http.get("/analytics/?year=2026").content.decode()
    assert "按渠道统计的反馈" in html or "Feedback by channel" in html


@needs_servicedesk
def test_needs_noted_on_callbacks_are_listed(supervisor, login, clients, rm):
    callback(
        clients[0], rm, month=6, completed_at=at(6, 3), needs="想了解养老理财产品", status="done"
    )
    html = login(supervisor).get("/analytics/?year=2026").content.decode()
    assert "想了解养老理财产品" in html


def test_survey_scores_alone_give_the_satisfaction_rate(clients):
    for i, score in enumerate([5, 4, 4, 2]):
        ticket = fb_factories.TicketFactory(client=clients[i], received_at=at(7, 1))
        survey(ticket, score, at(7, 3 + i))
    unanswered = fb_factories.TicketFactory(client=clients[0], received_at=at(7, 2))
    Survey.objects.create(ticket=unanswered, token="open", sent_at=at(7, 2), expires_at=at(8, 1))

    report = year_report(year=2026)

    assert (report.satisfaction_good, report.satisfaction_total) == (3, 4)
    assert report.months[6].satisfaction_rate == Decimal("0.7500")
