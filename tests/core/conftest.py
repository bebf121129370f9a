"""The world the crawling tests share (no 5xx, no leftover English): one of everything a page
can show, and a signed-in test client per role."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone, translation

from feedback.services.opening import ticket_create
from feedback.services.replies import ticket_resolve
from feedback.services.surveys import survey_link
from servicedesk.models import CallTopic
from tests.core.crawl import split
from tests.factories.clients import VipClientFactory
from tests.factories.feedback import TicketFactory
from tests.factories.managers import RelationshipManagerFactory, ShiftFactory
from tests.factories.servicedesk import (
    CallbackFactory,
    CallLogFactory,
    EventFactory,
    InvitationFactory,
    WealthPlanFactory,
)
from tests.factories.training import TrainingRecordFactory


@pytest.fixture
def world(rm, branch_staff, client_of_rm, client_of_colleague, feedback_user, supervisor):
    """One of everything a page can show, so each page renders its rows, links and forms. Made
    in the site's language: a management command run by an earlier test deactivates translation
    for the thread, and the notification titles stored here would read in English."""
    previous = translation.get_language()
    translation.activate(settings.LANGUAGE_CODE)
    past = timezone.localdate() - datetime.timedelta(days=10)
    CallbackFactory(client=client_of_rm, due_on=timezone.localdate())
    CallLogFactory(
        client=client_of_rm, handled_by=branch_staff, topic=CallTopic.COMPLAINT, notes="n"
    )
    CallLogFactory(client=client_of_rm, handled_by=rm.user)
    ticket_create(
        channel="branch",
        category="complaint",
        subject="s",
        description="d",
        client=client_of_rm,
        created_by=branch_staff,
    )
    VipClientFactory(branch=rm.branch)  # unassigned: the supervisor's board offers "assign"
    resolved = TicketFactory(client=client_of_rm, handler=feedback_user)
    survey = ticket_resolve(ticket=resolved, actor=feedback_user, resolution="done")
    WealthPlanFactory(client=client_of_rm)
    InvitationFactory(client=client_of_rm, event=EventFactory(held_on=past))
    TrainingRecordFactory(rm=rm, course__held_on=past, course__cost_per_attendee=Decimal("1"))
    RelationshipManagerFactory(branch=rm.branch, user=None, status="candidate", name="候选")
    ShiftFactory(rm=rm, starts_at=timezone.now() + datetime.timedelta(days=1))
    made = {"survey_path": split(survey_link(survey))[0]}
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate_all()
    return made


@pytest.fixture
def people(rm_user, branch_staff, feedback_user, supervisor, admin_user, outsider):
    """Each role's user (``None``: not signed in)."""
    return {
        "anonymous": None,
        "outsider": outsider,
        "rm": rm_user,
        "branch": branch_staff,
        "feedback": feedback_user,
        "supervisor": supervisor,
        "admin": admin_user,
    }


@pytest.fixture
def roles(people):
    """A test client per role, signed in as that role's user (in the user's language)."""

    def signed_in(user):
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        return http

    return {role: signed_in(user) for role, user in people.items()}
