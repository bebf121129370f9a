"""The dossier's first screen and its panels: bounded queries whatever the history's size, no
query while a template renders, and the view's audit record committed with the read (SPEC
sections 10 and 11)."""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import StatusOverride
from core.registry import dossier_panels_for
from core.roles import Role
from core.services import audit_record_with_read
from tests.factories.clients import AccountFactory, BalanceFactory, TradeFactory

REPO = Path(__file__).resolve().parents[2]
# The frame: the user with its branch, role and unread count in one query (core.auth), and the
# session unless Redis holds it (cached_db).
FRAME = 1 + (0 if settings.SESSION_ENGINE.endswith("cached_db") else 1)
# SET LOCAL synchronous_commit: PostgreSQL only.
SYNC_OFF = 1 if connection.vendor == "postgresql" else 0


def detail(client) -> str:
    return reverse("clients:detail", args=[client.pk])


def panel(client, key: str) -> str:
    return reverse("clients:panel", args=[client.pk, key])


def _history(client, n: int) -> None:
    account = AccountFactory(client=client)
    for i in range(n):
        BalanceFactory(
            account=account,
            as_of=timezone.localdate() - datetime.timedelta(days=i),
            balance=Decimal("1000"),
        )
        TradeFactory(account=account, client=client)


@pytest.mark.django_db
@pytest.mark.parametrize("trades", [3, 40])
def test_first_screen_queries_are_fixed(
    login, supervisor, rm_user, client_of_rm, trades, django_assert_num_queries
):
    _history(client_of_rm, trades)
    # Client, assignment, assets, trades in the window, accounts, trend; the audit INSERT inside
    # a savepoint (the test's transaction). The bell's count and an RM's branch came with the
    # user; the policy in force was read by the page before (kept a minute:
    # clients.selectors.policy_in_force).
    own = 6 + 1 + 2 + SYNC_OFF
    for user in (supervisor, rm_user):
        http = login(user)
        http.get(detail(client_of_rm))
        with django_assert_num_queries(FRAME + own):
            assert http.get(detail(client_of_rm)).status_code == 200


# The panel's own queries beyond the frame and the client, per role (default: one).
PANEL_QUERIES = {
    Role.SUPERVISOR: {"clients.preferences": 0},
    # RM: the calls' PII rule reads the assignment.
    Role.RELATIONSHIP_MANAGER: {"servicedesk.calls": 2},
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["supervisor", "rm_user"])
def test_each_panel_is_one_query(request, login, client_of_rm, persona, django_assert_num_queries):
    user = request.getfixturevalue(persona)
    _history(client_of_rm, 30)
    http = login(user)
    http.get(detail(client_of_rm))
    panels = dossier_panels_for(user.role)
    assert len(panels) >= 8
    for item in panels:
        queries = PANEL_QUERIES.get(user.role, {}).get(item.key, 1)
        with django_assert_num_queries(FRAME + 1 + queries, info=item.key):
            response = http.get(panel(client_of_rm, item.key), headers={"X-Fragment": "1"})
        assert response.status_code == 200, item.key
        assert b"<html" not in response.content


@pytest.mark.django_db
def test_no_query_runs_while_the_templates_render(login, rm_user, supervisor, client_of_rm):
    _history(client_of_rm, 5)
    StatusOverride.objects.create(
        client=client_of_rm,
        status="vip",
        reason="x",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        created_by=supervisor,
    )
    for user in (supervisor, rm_user):
        http = login(user)
        urls = [detail(client_of_rm)] + [
            panel(client_of_rm, p.key) for p in dossier_panels_for(user.role)
        ]
        http.get(urls[0])  # the session's first "last seen" write (then once a minute)
        for url in urls:
            started = []
            with CaptureQueriesContext(connection) as ctx:

                def mark(sender, ctx=ctx, started=started, **kwargs):
                    started.append(len(ctx.captured_queries))

                template_rendered.connect(mark)
                try:
                    assert http.get(url, headers={"X-Fragment": "1"}).status_code == 200
                finally:
                    template_rendered.disconnect(mark)
            during = [q["sql"] for q in ctx.captured_queries[started[0] :]]
            # Only the frame's own: the bell's lazy count and the signed-in user's branch.
            assert all("core_notification" in q or "core_branch" in q for q in during), (
                url,
                during,
            )


@pytest.mark.django_db
def test_panels_outside_the_role_or_scope_are_404(
    login, rm_user, supervisor, client_of_colleague, client_of_rm, branch_staff
):
    assert login(rm_user).get(panel(client_of_colleague, "clients.trades")).status_code == 404
    assert login(rm_user).get(panel(client_of_rm, "clients.overrides")).status_code == 404
    assert login(supervisor).get(panel(client_of_rm, "no.such.panel")).status_code == 404
    assert login(branch_staff).get(panel(client_of_rm, "servicedesk.plans")).status_code == 404


@pytest.mark.django_db
def test_forms_are_plain_markup_on_demand(login, rm_user, supervisor, client_of_rm):
    first = login(rm_user).get(detail(client_of_rm)).content.decode()
    assert "preferences-form" not in first and "override-form" not in first
    body = (
        login(rm_user)
        .get(panel(client_of_rm, "clients.preferences"), headers={"X-Fragment": "1"})
        .content.decode()
    )
    assert 'data-testid="preferences-form"' in body
    assert 'class="form-select form-select-sm" id="id_risk_level"' in body
    assert "crispy" not in body and "div_id_" not in body
    overrides = (
        login(supervisor)
        .get(panel(client_of_rm, "clients.overrides"), headers={"X-Fragment": "1"})
        .content.decode()
    )
    assert 'data-testid="override-form"' in overrides and "div_id_" not in overrides


@pytest.mark.django_db(transaction=True)
def test_the_audit_record_of_a_read_needs_the_reads_transaction(supervisor, client_of_rm):
    with pytest.raises(transaction.TransactionManagementError):
        audit_record_with_read(actor=supervisor, event="dossier.view", instance=client_of_rm)
    with transaction.atomic():
        audit_record_with_read(actor=supervisor, event="dossier.view", instance=client_of_rm)
    assert LogEntry.objects.filter(changes_text="dossier.view").count() == 1


# The child signs in, opens the dossier, reports the response and waits to be killed: if the
# record were kept in the process to be written later (a buffer, a thread), it would be lost.
CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from core.models import User
    setup_test_environment()
    http = Client()
    http.force_login(User.objects.get(username="boss"))
    response = http.get("/clients/%s/" % sys.argv[1])
    print(response.status_code, flush=True)
    time.sleep(60)
    """
)


def _database_for_child(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL of the test database the child can open: PostgreSQL's test database, or a file
    copy of SQLite's in-memory one."""
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        return url._replace(path="/" + connection.settings_dict["NAME"]).geturl(), None
    path = tmp_path / "child.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", path


@pytest.mark.django_db(transaction=True)
def test_the_view_record_survives_killing_the_process_after_the_response(
    supervisor, client_of_rm, tmp_path
):
    url, sqlite_path = _database_for_child(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "vipservice.settings"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(client_of_rm.pk)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "200"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    if sqlite_path is None:
        entries = list(
            LogEntry.objects.filter(changes_text="dossier.view").values_list(
                "object_pk", "actor__username"
            )
        )
    else:
        with sqlite3.connect(sqlite_path) as db:
            entries = db.execute(
                "SELECT e.object_pk, u.username FROM auditlog_logentry e "
                "JOIN core_user u ON u.id = e.actor_id WHERE e.changes_text = 'dossier.view'"
            ).fetchall()
    assert entries == [(str(client_of_rm.pk), "boss")]
