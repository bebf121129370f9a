"""Status transitions over time: grace period, requalification, overrides; bounded queries; the
overlapping-run lock on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Account, Balance, Client, StatusChange, StatusOverride, Trade, VipStatus
from clients.qualification.overrides import status_override_create, status_override_revoke
from clients.qualification.reclassify import vip_statuses_reclassify
from tests.clients.conftest import make_client
from tests.factories.clients import ClientFactory
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 5, 31)


def at_risk_client(at_risk_since: datetime.date, as_of: datetime.date):
    return make_client(
        as_of=as_of,
        assets="10.00",
        status=VipStatus.VIP_AT_RISK,
        vip_since=datetime.date(2024, 1, 1),
        at_risk_since=at_risk_since,
    )


def test_vip_that_stops_qualifying_becomes_at_risk_from_that_day():
    client = make_client(
        as_of=D, assets="10", status=VipStatus.VIP, vip_since=datetime.date(2025, 1, 1)
    )
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.VIP_AT_RISK
    assert client.at_risk_since == D
    assert client.vip_since == datetime.date(2025, 1, 1)


def test_at_risk_for_89_days_stays_at_risk():
    client = at_risk_client(D - datetime.timedelta(days=89), D)
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.VIP_AT_RISK


def test_at_risk_for_90_days_is_downgraded():
    client = at_risk_client(D - datetime.timedelta(days=90), D)
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.STANDARD
    assert (client.vip_since, client.at_risk_since) == (None, None)
    change = StatusChange.objects.get(client=client)
    assert (change.from_status, change.to_status) == ("vip_at_risk", "standard")


def test_at_risk_that_qualifies_again_returns_to_vip_keeping_vip_since():
    client = make_client(
        as_of=D,
        status=VipStatus.VIP_AT_RISK,
        vip_since=datetime.date(2024, 1, 1),
        at_risk_since=D - datetime.timedelta(days=30),
    )
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert (client.status, client.vip_since, client.at_risk_since) == (
        VipStatus.VIP,
        datetime.date(2024, 1, 1),
        None,
    )


def override(client, status, starts_on, ends_on, revoked=False):
    return StatusOverride.objects.create(
        client=client,
        status=status,
        reason="relationship kept by the branch head",
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=UserFactory(),
        revoked_at=timezone.now() if revoked else None,
    )


def test_active_override_wins_over_the_rule_and_is_in_history():
    client = make_client(as_of=D, assets="10")
    ovr = override(client, VipStatus.VIP, D - datetime.timedelta(days=5), D)
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.VIP
    change = StatusChange.objects.get(client=client)
    assert change.override == ovr
    assert change.reasons["override"] == {
        "id": ovr.pk,
        "reason": "relationship kept by the branch head",
    }
    assert change.reasons["assets"]["passed"] is False


def test_override_keeps_a_qualifying_client_standard():
    client = make_client(as_of=D)
    override(client, VipStatus.STANDARD, D, D + datetime.timedelta(days=10))
    assert vip_statuses_reclassify(as_of=D).changes == 0
    client.refresh_from_db()
    assert client.status == VipStatus.STANDARD


def test_expired_override_no_longer_applies():
    client = make_client(as_of=D, assets="10")
    override(client, VipStatus.VIP, D - datetime.timedelta(days=10), D - datetime.timedelta(days=1))
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.STANDARD


def test_revoked_override_no_longer_applies():
    client = make_client(as_of=D, assets="10")
    override(client, VipStatus.VIP, D, D + datetime.timedelta(days=10), revoked=True)
    vip_statuses_reclassify(as_of=D)
    client.refresh_from_db()
    assert client.status == VipStatus.STANDARD


def test_override_service_applies_now_and_revoke_hands_back_to_the_rule(supervisor):
    today = timezone.localdate()
    client = make_client(as_of=today, assets="10")
    ovr = status_override_create(
        client=client,
        status=VipStatus.VIP,
        reason="retention",
        ends_on=today + datetime.timedelta(days=30),
        created_by=supervisor,
    )
    client.refresh_from_db()
    assert client.status == VipStatus.VIP
    assert StatusChange.objects.get(client=client).override == ovr
    vip_statuses_reclassify(as_of=today)
    client.refresh_from_db()
    assert client.status == VipStatus.VIP
    status_override_revoke(override=ovr, revoked_by=supervisor)
    vip_statuses_reclassify(as_of=today)
    client.refresh_from_db()
    assert client.status == VipStatus.VIP_AT_RISK


def _many_clients(n: int):
    for _ in range(n):
        make_client(as_of=D)


def test_changes_are_written_in_batches_each_change_once(monkeypatch):
    monkeypatch.setattr("clients.qualification.reclassify.RECLASSIFY_BATCH", 2)
    clients = [make_client(as_of=D) for _ in range(5)]

    result = vip_statuses_reclassify(as_of=D)

    assert result.changes == 5
    assert result.transitions == {("standard", "vip"): 5}
    assert sorted(StatusChange.objects.values_list("client_id", flat=True)) == sorted(
        c.pk for c in clients
    )
    assert set(Client.objects.values_list("status", flat=True)) == {VipStatus.VIP}


@pytest.mark.parametrize("size", [10, 1000])
def test_reclassification_issues_the_same_number_of_queries_whatever_the_client_count(
    size, django_assert_num_queries
):

    # Bulk-built so the test stays fast: every client just qualifies.
    branch_client = ClientFactory()
    clients = Client.objects.bulk_create(
        [
            Client(
                client_no=f"Q{size}-{i:05d}",
                name="客户",
                kind="personal",
                branch_id=branch_client.branch_id,
                relationship_since=datetime.date(2020, 1, 1),
                good_standing=True,
            )
            for i in range(size - 1)
        ]
    ) + [branch_client]
    accounts = Account.objects.bulk_create(
        [Account(account_no=f"A{size}-{c.pk}", client=c) for c in clients]
    )
    Balance.objects.bulk_create(
        [Balance(account=a, as_of=D, balance="1000000.00") for a in accounts]
    )
    Trade.objects.bulk_create(
        [
            Trade(
                trade_id=f"T{size}-{a.pk}-{k}",
                client_id=a.client_id,
                account=a,
                executed_at=timezone.make_aware(datetime.datetime(2026, 5, 1, 10, k)),
                amount="1.00",
            )
            for a in accounts
            for k in range(5)
        ]
    )
    # Policy lookup, lock or savepoints, the changes table (drop, create, transitions), one batch
    # (status update, history insert), drop, counts: the same for 10 and 1,000 clients.
    with django_assert_num_queries(EXPECTED_QUERIES[connection.vendor]):
        result = vip_statuses_reclassify(as_of=D)
    assert result.changes == size


EXPECTED_QUERIES = {"sqlite": 14, "postgresql": 16}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_wait_for_each_other_and_write_history_once():

    clients = [make_client(as_of=D) for _ in range(30)]
    holder = connections.create_connection("default")
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [0x5649505245434C53])
    results, errors = [], []

    def run():
        try:
            results.append(vip_statuses_reclassify(as_of=D))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    threads[0].join(timeout=1.0)
    # Both runs wait on the lock: nothing written yet.
    assert StatusChange.objects.count() == 0
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [0x5649505245434C53])
    holder.close()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(r.changes for r in results) == [0, len(clients)]
    assert StatusChange.objects.count() == len(clients)
    assert set(Client.objects.values_list("status", flat=True)) == {VipStatus.VIP}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.parametrize(("threshold", "analyzed"), [(2, True), (3, False)])
def test_a_big_night_refreshes_the_client_statistics_for_the_steps_after_it(
    monkeypatch, threshold, analyzed
):

    monkeypatch.setattr("clients.qualification.reclassify.RECLASSIFY_ANALYZE_FROM", threshold)
    make_client(as_of=D)
    make_client(as_of=D)

    with CaptureQueriesContext(connection) as queries:
        vip_statuses_reclassify(as_of=D)

    analyzes = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    # Only the columns the night wrote: the wide table's other statistics do not move.
    expected = ["ANALYZE clients_client (status, vip_since, at_risk_since, status_changed_on)"]
    assert analyzes == (expected if analyzed else [])
