"""The role matrix, generated from the URLconf (SPEC section 1, issue 13): every URL × every role,
and every URL that opens a client's object × the own RM, another RM of the branch, branch staff of
the branch and of another branch. A role that may not use a page, or an object outside the user's
scope, answers 404; anonymous users are sent to sign in; nothing answers 5xx.

A new URL with a parameter fails ``test_every_object_url_is_in_the_matrix`` until it is added to
``OBJECT_ROUTES`` (how to build its object) or ``NOT_CLIENT_SCOPED`` (why client scope is not its
rule). The hotline and the API have their own scope and authorisation tests
(tests/servicedesk/test_hotline_scope.py, tests/feedback/test_api_authorisation.py); the matrix
checks their role gates and 404/401 answers here too.
"""

import json

import pytest
from django.urls import resolve, reverse

from core.roles import Role
from feedback.models import Channel
from feedback.services.api_keys import api_key_issue
from tests.core.urlconf import routes, sample_path
from tests.factories.feedback import TicketFactory
from tests.factories.servicedesk import (
    CallbackFactory,
    InvitationFactory,
    WealthPlanFactory,
)

pytestmark = pytest.mark.django_db

ROUTES = routes()
PERSONAS = [
    "rm_user",
    "colleague_user",
    "branch_staff",
    "other_branch_staff",
    "feedback_user",
    "supervisor",
    "admin_user",
    "outsider",
    None,  # anonymous
]

# Client-scoped objects: route → (URL kwarg, how to get the object's URL value from a client).
OBJECT_ROUTES = {
    "clients:detail": ("pk", lambda c: c.pk),
    "clients:reveal": ("pk", lambda c: c.pk),
    "clients:preferences": ("pk", lambda c: c.pk),
    "clients:panel": ("pk", lambda c: c.pk),
    "clients:override": ("pk", lambda c: c.pk),
    "managers:assign": ("client_pk", lambda c: c.pk),
    "managers:reassign": ("client_pk", lambda c: c.pk),
    "managers:history": ("client_pk", lambda c: c.pk),
    "feedback:ticket_detail": ("reference", lambda c: TicketFactory(client=c).reference),
    "servicedesk:callback_detail": ("pk", lambda c: CallbackFactory(client=c).pk),
    "servicedesk:plan_detail": ("pk", lambda c: WealthPlanFactory(client=c).pk),
    "servicedesk:plan_edit": ("pk", lambda c: WealthPlanFactory(client=c).pk),
    "servicedesk:plan_status": ("pk", lambda c: WealthPlanFactory(client=c).pk),
    "servicedesk:invitation_update": ("pk", lambda c: InvitationFactory(client=c).pk),
}

NOT_CLIENT_SCOPED = {
    "clients:override_revoke": "supervisor-only (role gate checked below); the override is the key",
    "clients:import_run": "core-banking uploads, supervisor-only: tests/clients/test_upload_worker.py",
    "clients:import_status": "core-banking uploads, supervisor-only: tests/clients/test_upload_worker.py",
    "clients:import_again": "core-banking uploads, supervisor-only: tests/clients/test_upload_stopped.py",
    "programme:night_again": "reclassification runs, supervisor-only: tests/dataruns/test_night_stopped.py",
    "managers:candidate_approve": "RM candidates are staff records, supervisor-only",
    "managers:candidate_reject": "RM candidates are staff records, supervisor-only",
    "managers:training_rm": "an RM's own training record; supervisors see all",
    "managers:course_detail": "training courses are the bank's, not a client's",
    "managers:shift_delete": "rota shifts, supervisor-only",
    "servicedesk:hotline_caller": "keyed by a session-held number: tests/servicedesk/test_hotline_scope.py",
    "servicedesk:event_detail": "events are the bank's; their invitations are scoped (invitation_update)",
    "feedback:ticket_take": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_assign": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_respond": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_resolve": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_note": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_close": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_link_client": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:ticket_category": "a POST action on a ticket: same ticket_for_user as ticket_detail",
    "feedback:attachment_download": "behind ticket_for_user of its ticket",
    "feedback:held_mail_raw": "held mail, feedback team leads only",
    "feedback:held_mail_process": "held mail, feedback team leads only",
    "feedback:held_mail_open_ticket": "held mail, feedback team leads only",
    "feedback:survey": "the client's one-time token, no login",
    "feedback:api_ticket_status": "per-ticket secret: tests/feedback/test_api_authorisation.py",
    "approvals:detail": "four-eyes proposals, supervisor-only",
    "approvals:approve": "four-eyes proposals, supervisor-only",
    "approvals:reject": "four-eyes proposals, supervisor-only",
    "approvals:withdraw": "four-eyes proposals, supervisor-only",
    "retention:close": "follow-ups behind their own access helper",
    "core:notification_open": "a user's own notifications",
}
POST_ONLY_CHANGES = {
    "clients:reveal",
    "clients:override",
    "clients:preferences",
    "managers:assign",
    "managers:reassign",
    "servicedesk:plan_status",
    "servicedesk:invitation_update",
}
# Pages a role passes the gate of but has nothing on: 404 by design.
NOTHING_TO_SHOW = {("analytics:my_figures", Role.ADMINISTRATOR)}
PUBLIC = {
    "login",
    "favicon",
    "feedback:survey",
    "feedback:api_openapi",
    "feedback:web_form",
    "feedback:web_thanks",
}


@pytest.fixture
def colleague_user(colleague_rm):
    return colleague_rm.user


def allowed_roles(path: str) -> frozenset | None:
    """The roles a view admits (``core.access.role_required``), or None for login-only views."""
    return getattr(resolve(path).func, "allowed_roles", None)


def role_of(user) -> Role | None:
    return None if user is None else user.role


def test_every_object_url_is_in_the_matrix():
    with_params = {r.name for r in ROUTES if r.params}
    unclassified = with_params - set(OBJECT_ROUTES) - set(NOT_CLIENT_SCOPED)
    assert not unclassified, f"add to OBJECT_ROUTES or NOT_CLIENT_SCOPED: {sorted(unclassified)}"


PLAIN = [r for r in ROUTES if not r.params and not r.name.startswith("feedback:api_")]


@pytest.mark.parametrize("persona", PERSONAS, ids=[p or "anonymous" for p in PERSONAS])
def test_every_page_answers_each_role_by_its_gate(login, request, persona, client_of_rm):
    user = request.getfixturevalue(persona) if persona else None
    http = login(user)
    for route in PLAIN:
        path = sample_path(route)
        if route.name == "logout":
            continue  # would end the session for the rest of the loop
        response = http.get(path)
        assert response.status_code < 500, (route.name, response.status_code)
        gate = allowed_roles(path)
        if user is None and route.name not in PUBLIC:
            assert response.status_code in (302, 404, 405), route.name
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), route.name
        elif user is not None and gate is not None and role_of(user) not in gate:
            assert response.status_code == 404, (route.name, persona)
        elif (
            user is not None and gate is not None and (route.name, user.role) not in NOTHING_TO_SHOW
        ):
            assert response.status_code != 404, (route.name, persona)


@pytest.fixture
def clients(client_of_rm, client_of_colleague, client_elsewhere):
    return {"own": client_of_rm, "colleague": client_of_colleague, "elsewhere": client_elsewhere}


# Whose client each persona may reach: the own RM their own, branch staff their branch's.
IN_SCOPE = {
    "rm_user": {"own"},
    "colleague_user": {"colleague"},
    "branch_staff": {"own", "colleague"},
    "other_branch_staff": {"elsewhere"},
    "feedback_user": set(),
    "supervisor": {"own", "colleague", "elsewhere"},
    "admin_user": {"own", "colleague", "elsewhere"},
    "outsider": set(),
}


@pytest.mark.parametrize("route_name", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p], ids=str)
def test_client_objects_answer_404_outside_the_users_scope(
    login, request, persona, route_name, clients
):
    user = request.getfixturevalue(persona)
    http = login(user)
    route = next(r for r in ROUTES if r.name == route_name)
    kwarg, value_for = OBJECT_ROUTES[route_name]
    for whose, client in clients.items():
        path = sample_path(route, {kwarg: str(value_for(client)), "key": "clients.status"})
        post = route_name in POST_ONLY_CHANGES
        response = http.post(path, {}) if post else http.get(path)
        assert response.status_code < 500, (route_name, persona, whose)
        gate = allowed_roles(path)
        # Feedback team sees every ticket; role gates decide the rest.
        team_sees = persona == "feedback_user" and route_name == "feedback:ticket_detail"
        may = (gate is None or user.role in gate) and (whose in IN_SCOPE[persona] or team_sees)
        if may:
            assert response.status_code != 404, (route_name, persona, whose)
        else:
            assert response.status_code == 404, (route_name, persona, whose, response.status_code)


@pytest.mark.parametrize("persona", ["feedback_user", "outsider"])
def test_the_hotline_is_404_for_roles_without_it(login, request, persona):
    http = login(request.getfixturevalue(persona))
    assert http.post(reverse("servicedesk:hotline"), {"phone": "13800138000"}).status_code == 404
    caller = reverse("servicedesk:hotline_caller", args=["0" * 20])
    assert http.get(caller).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, ids=[p or "anonymous" for p in PERSONAS])
def test_the_api_ignores_staff_sessions_and_wants_its_key(login, request, persona, client_of_rm):
    http = login(request.getfixturevalue(persona) if persona else None)
    body = {"client_no": client_of_rm.client_no, "category": "inquiry", "subject": "s"}
    created = http.post(
        reverse("feedback:api_tickets"), json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 401
    ticket = TicketFactory(client=client_of_rm, channel=Channel.APP)
    read = http.get(reverse("feedback:api_ticket_status", args=[ticket.reference]))
    assert read.status_code == 401
    assert read.json()["request_id"]


def test_another_keys_ticket_is_404(client, client_of_rm):
    _key, raw = api_key_issue(name="App", channel=Channel.APP)
    ticket = TicketFactory(client=client_of_rm, channel=Channel.APP)
    url = reverse("feedback:api_ticket_status", args=[ticket.reference])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
