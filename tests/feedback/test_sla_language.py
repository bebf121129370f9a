"""The SLA sweep's warnings and escalations go to several people at once (the team leads and the
handler; the supervisors): each reads them in their own language, whatever language the worker
runs in (SPEC section 10, every string translated; ``core.messages.in_language``)."""

from datetime import timedelta

import pytest
import time_machine

from core.models import Notification, OutboxMail, User
from core.roles import Role
from feedback.services.escalation import sla_sweep
from feedback.services.handling import ticket_assign
from feedback.services.opening import ticket_create
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(client_of_rm, handler, received, rm_user):
    with time_machine.travel(received, tick=False):
        ticket = ticket_create(
            channel="phone",
            category="complaint",
            subject="Card blocked abroad",
            description="Nobody called back.",
            client=client_of_rm,
            created_by=rm_user,
        )
    ticket_assign(ticket=ticket, handler=handler, actor=handler)
    return ticket


def _titles(suffix: str) -> dict[str, str]:
    return dict(
        Notification.objects.filter(dedupe_key__endswith=suffix).values_list(
            "recipient__username", "title"
        )
    )


def test_the_warning_reaches_an_english_lead_in_english_and_a_chinese_handler_in_chinese(
    ticket, received, handler, english
):
    lead = UserFactory(username="lead_en", branch=None, role=Role.FEEDBACK_TEAM)
    User.objects.filter(pk=lead.pk).update(language=User.Language.ENGLISH)
    assert handler.language == User.Language.CHINESE

    sla_sweep(now=received + timedelta(hours=36))  # the worker runs in English

    titles = _titles(":warned")
    assert titles[lead.username].startswith("SLA warning: " + ticket.reference)
    assert titles[handler.username].startswith("响应时限预警：" + ticket.reference)
    subjects = set(OutboxMail.objects.values_list("subject", flat=True))
    assert subjects == {titles[lead.username], titles[handler.username]}


def test_the_escalation_reaches_each_supervisor_in_their_language(ticket, received, supervisor):
    english_boss = UserFactory(username="boss_en", branch=None, role=Role.SUPERVISOR)
    User.objects.filter(pk=english_boss.pk).update(language=User.Language.ENGLISH)

    # Within the sweep's period after the deadline: one message per ticket, not the backlog.
    sla_sweep(now=received + timedelta(hours=48, minutes=1))

    titles = _titles(":breached")
    assert titles[english_boss.username].startswith("SLA breached: " + ticket.reference)
    assert titles[supervisor.username].startswith("已超时并升级：" + ticket.reference)
