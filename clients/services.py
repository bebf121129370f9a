"""Writes of the clients app: VIP reclassification, overrides, preferences, the core-banking
import and the VIP export."""

import csv
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import (
    VIP_STATUSES,
    Client,
    StatusChange,
    StatusOverride,
    Trade,
    VipPolicy,
    VipStatus,
)
from clients.qualification import (
    Candidate,
    Window,
    next_status,
    refresh_total_assets,
    status_candidates,
)
from core.models import User
from core.services import audit_record

RECLASSIFY_BATCH = 1000
# pg_advisory_lock key shared by every reclassification run ("VIPRECLS" as a number).
RECLASSIFY_LOCK_KEY = 0x5649505245434C53


# --- measurements shared by the nightly run, the dossier and the home widgets -----------------


@dataclass(frozen=True)
class Measures:
    assets: Decimal
    trades: int


def clients_measure(*, client_ids: list[int], window: Window) -> dict[int, Measures]:
    """Assets and trades in the activity window for a few clients: two queries whatever their
    number of accounts, balances and trades."""
    if not client_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(client_ids))
    latest = (
        "(SELECT b.balance FROM clients_balance b WHERE b.account_id = a.id "
        "AND b.as_of <= %s ORDER BY b.as_of DESC LIMIT 1)"
    )
    as_cents = (
        f"CAST(ROUND({latest} * 100) AS BIGINT)"
        if connection.vendor != "postgresql"
        else f"({latest} * 100)"
    )
    assets: dict[int, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.client_id, COALESCE(SUM({as_cents}), 0) FROM clients_account a "
            f"WHERE a.client_id IN ({placeholders}) GROUP BY a.client_id",
            [connection.ops.adapt_datefield_value(window.as_of), *client_ids],
        )
        for client_id, cents in cursor.fetchall():
            assets[client_id] = (Decimal(str(cents)) / 100).quantize(Decimal("0.01"))
    trades = dict(
        Trade.objects.filter(
            client_id__in=client_ids,
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )
    return {
        pk: Measures(assets=assets.get(pk, Decimal("0.00")), trades=trades.get(pk, 0))
        for pk in client_ids
    }


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    value: Any
    threshold: Any
    passed: bool
    gap: str


def _criteria(
    *,
    kind: str,
    relationship_since: date,
    good_standing: bool,
    measures: Measures,
    window: Window,
) -> list[Criterion]:
    policy = window.policy
    threshold = policy.asset_threshold_for(kind)
    assets_ok = measures.assets >= threshold
    trades_ok = measures.trades >= policy.min_trades
    rel_ok = relationship_since <= window.relationship_cutoff
    from core.templatetags.vip import money

    return [
        Criterion(
            "assets",
            _("Total assets"),
            measures.assets,
            threshold,
            assets_ok,
            ""
            if assets_ok
            else _("needs %(amount)s more") % {"amount": money(threshold - measures.assets)},
        ),
        Criterion(
            "trades",
            _("Trades in the last %(n)d months") % {"n": policy.activity_months},
            measures.trades,
            policy.min_trades,
            trades_ok,
            ""
            if trades_ok
            else _("needs %(n)d more trades") % {"n": policy.min_trades - measures.trades},
        ),
        Criterion(
            "relationship",
            _("Relationship since"),
            relationship_since,
            window.relationship_cutoff,
            rel_ok,
            ""
            if rel_ok
            else _("needs %(n)d more days")
            % {"n": (relationship_since - window.relationship_cutoff).days},
        ),
        Criterion(
            "good_standing",
            _("Good standing"),
            good_standing,
            True,
            good_standing,
            "" if good_standing else _("not in good standing with the core banking system"),
        ),
    ]


def qualification_explain(*, client: Client, as_of: date | None = None) -> list[Criterion]:
    """Each criterion of SPEC section 3 for one client on D: value, threshold, pass, gap."""
    day = as_of or timezone.localdate()
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    measures = clients_measure(client_ids=[client.pk], window=window)[client.pk]
    return _criteria(
        kind=client.kind,
        relationship_since=client.relationship_since,
        good_standing=client.good_standing,
        measures=measures,
        window=window,
    )


def _reasons(
    candidate: Candidate, measures: Measures, window: Window, override: dict | None
) -> dict:
    criteria = _criteria(
        kind=candidate.kind,
        relationship_since=candidate.relationship_since,
        good_standing=candidate.good_standing,
        measures=Measures(assets=candidate.total_assets, trades=measures.trades),
        window=window,
    )
    reasons: dict[str, Any] = {
        c.key: {
            "value": _jsonable(c.value),
            "threshold": _jsonable(c.threshold),
            "passed": c.passed,
        }
        for c in criteria
    }
    reasons["trades"]["window_from"] = window.trades_from.isoformat()
    reasons["qualifies"] = candidate.qualifies
    reasons["policy"] = window.policy.version
    reasons["override"] = override
    return reasons


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- the nightly reclassification --------------------------------------------------------------


@dataclass
class ReclassificationResult:
    as_of: date
    policy_version: str
    counts: dict[str, int] = field(default_factory=dict)
    changes: int = 0
    transitions: dict[tuple[str, str], int] = field(default_factory=dict)


@contextmanager
def _reclassification_lock() -> Iterator[None]:
    """One run at a time. PostgreSQL: a session advisory lock (a second run waits, then finds
    nothing left to change). SQLite: the run is one IMMEDIATE transaction, which serialises
    writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [RECLASSIFY_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RECLASSIFY_LOCK_KEY])
    else:
        with transaction.atomic():
            yield


def vip_statuses_reclassify(*, as_of: date | None = None) -> ReclassificationResult:
    """Apply SPEC section 3 to every client for day D (default today, Asia/Shanghai).

    A bounded number of queries whatever the number of clients: refresh the denormalised assets,
    select the clients whose status changes, then per batch of changes one trade count, one bulk
    update and one bulk insert of history rows, each batch in its own transaction. Running it
    again for the same D finds no candidate and changes nothing."""
    day = as_of or timezone.localdate()
    policy = VipPolicy.in_force_on(day)
    window = Window.for_day(day, policy)
    transitions: Counter[tuple[str, str]] = Counter()
    with _reclassification_lock():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Sorted, index-ordered plans beat hash aggregates with a million groups.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_hashagg = off")
            refresh_total_assets(window)
        candidates = status_candidates(window)
        for start in range(0, len(candidates), RECLASSIFY_BATCH):
            batch = candidates[start : start + RECLASSIFY_BATCH]
            transitions.update(_apply_batch(batch, window))
        counts = dict(
            Client.objects.order_by()
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    return ReclassificationResult(
        as_of=day,
        policy_version=policy.version,
        counts={status: counts.get(status, 0) for status in VipStatus.values},
        changes=sum(transitions.values()),
        transitions=dict(transitions),
    )


@transaction.atomic
def _apply_batch(batch: list[Candidate], window: Window) -> Counter[tuple[str, str]]:
    measures = clients_measure_trades(client_ids=[c.client_id for c in batch], window=window)
    overrides = {}
    override_ids = [c.override_id for c in batch if c.override_id]
    if override_ids:
        overrides = {
            o["id"]: o
            for o in StatusOverride.objects.filter(pk__in=override_ids).values("id", "reason")
        }
    clients, history = [], []
    transitions: Counter[tuple[str, str]] = Counter()
    now = timezone.now()
    policy_id = window.policy.pk
    for candidate in batch:
        move = next_status(candidate, window)
        if (move.status, move.vip_since, move.at_risk_since) == (
            candidate.status,
            candidate.vip_since,
            candidate.at_risk_since,
        ):
            continue
        clients.append(
            Client(
                pk=candidate.client_id,
                status=move.status,
                vip_since=move.vip_since,
                at_risk_since=move.at_risk_since,
                status_changed_on=window.as_of,
            )
        )
        override = overrides.get(candidate.override_id) if candidate.override_id else None
        history.append(
            StatusChange(
                client_id=candidate.client_id,
                effective_on=window.as_of,
                from_status=candidate.status,
                to_status=move.status,
                reasons=_reasons(
                    candidate,
                    Measures(
                        assets=candidate.total_assets, trades=measures.get(candidate.client_id, 0)
                    ),
                    window,
                    override,
                ),
                policy_id=policy_id,
                override_id=candidate.override_id,
                created_at=now,
            )
        )
        transitions[(candidate.status, move.status)] += 1
    if clients:
        Client.objects.bulk_update(
            clients,
            ["status", "vip_since", "at_risk_since", "status_changed_on"],
            batch_size=RECLASSIFY_BATCH,
        )
        StatusChange.objects.bulk_create(history, batch_size=RECLASSIFY_BATCH)
    return transitions


def clients_measure_trades(*, client_ids: list[int], window: Window) -> dict[int, int]:
    """Full trade counts in the activity window, for the history's reasons (changed clients)."""
    return dict(
        Trade.objects.filter(
            client_id__in=client_ids,
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
        .order_by()
    )


# --- supervisor overrides ----------------------------------------------------------------------


class OverrideError(ValueError):
    pass


@transaction.atomic
def status_override_create(
    *,
    client: Client,
    status: str,
    reason: str,
    ends_on: date,
    created_by: User,
    starts_on: date | None = None,
) -> StatusOverride:
    """A supervisor's manual status until ``ends_on``: applied now and kept by the nightly run.
    The status change is recorded in the history with the override."""
    today = timezone.localdate()
    starts_on = starts_on or today
    if status not in VipStatus.values:
        raise OverrideError(_("Unknown status."))
    if not reason.strip():
        raise OverrideError(_("Give a reason for the override."))
    if ends_on < starts_on:
        raise OverrideError(_("The end date must be on or after the start date."))
    override = StatusOverride.objects.create(
        client=client,
        status=status,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=created_by,
    )
    if override.is_active_on(today):
        _override_apply(client=client, override=override, day=today)
    return override


def _override_apply(*, client: Client, override: StatusOverride, day: date) -> None:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status == override.status and (
        override.status != VipStatus.VIP_AT_RISK or client.at_risk_since
    ):
        return
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    candidate = Candidate(
        client_id=client.pk,
        kind=client.kind,
        status=client.status,
        vip_since=client.vip_since,
        at_risk_since=client.at_risk_since,
        total_assets=client.total_assets,
        relationship_since=client.relationship_since,
        good_standing=client.good_standing,
        qualifies=False,
        override_id=override.pk,
        override_status=override.status,
    )
    measures = clients_measure(client_ids=[client.pk], window=window)[client.pk]
    move = next_status(candidate, window)
    reasons = _reasons(
        candidate,
        measures,
        window,
        {"id": override.pk, "reason": override.reason},
    )
    reasons["qualifies"] = all(
        c.passed
        for c in _criteria(
            kind=client.kind,
            relationship_since=client.relationship_since,
            good_standing=client.good_standing,
            measures=measures,
            window=window,
        )
    )
    StatusChange.objects.create(
        client=client,
        effective_on=day,
        from_status=client.status,
        to_status=move.status,
        reasons=reasons,
        policy=window.policy if window.policy.pk else None,
        override=override,
    )
    client.status, client.vip_since, client.at_risk_since = (
        move.status,
        move.vip_since,
        move.at_risk_since,
    )
    client.status_changed_on = day
    client.save(update_fields=["status", "vip_since", "at_risk_since", "status_changed_on"])


@transaction.atomic
def status_override_revoke(*, override: StatusOverride, revoked_by: User) -> StatusOverride:
    """End an override now; the next nightly run applies the rule again."""
    if override.revoked_at is None:
        override.revoked_at = timezone.now()
        override.save(update_fields=["revoked_at"])
        audit_record(
            actor=revoked_by,
            event="status_override.revoke",
            instance=override.client,
            detail={"override": override.pk},
        )
    return override


# --- preferences -------------------------------------------------------------------------------

PREFERENCE_FIELDS = [
    "preferred_channel",
    "contact_window_start",
    "contact_window_end",
    "preferred_language",
    "interests",
    "risk_level",
]


@transaction.atomic
def client_preferences_update(*, client: Client, data: dict[str, Any]) -> Client:
    for name in PREFERENCE_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    client.save(update_fields=[*PREFERENCE_FIELDS, "updated_at"])
    return client


# --- VIP export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "client_no",
    "kind",
    "status",
    "vip_since",
    "assets",
    "trades_3m",
    "relationship_since",
    "rm_employee_no",
]


def vips_export(*, out: IO[str], actor: User | None, as_of: date | None = None) -> int:
    """CSV of every VIP and VIP at risk (SPEC section 9), one query streamed in chunks."""
    from managers.models import Assignment

    day = as_of or timezone.localdate()
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    trades = (
        Trade.objects.filter(
            client=OuterRef("pk"),
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .order_by()
        .values("client")
        .annotate(n=Count("id"))
        .values("n")
    )
    rm_no = Assignment.objects.filter(client=OuterRef("pk"), ended_at__isnull=True).values(
        "rm__employee_no"
    )[:1]
    rows = (
        Client.objects.filter(status__in=VIP_STATUSES)
        .annotate(trades_3m=Subquery(trades), rm_employee_no=Subquery(rm_no))
        .order_by("client_no")
        .values_list(
            "client_no",
            "kind",
            "status",
            "vip_since",
            "total_assets",
            "trades_3m",
            "relationship_since",
            "rm_employee_no",
        )
    )
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for client_no, kind, status, vip_since, assets, n, since, rm in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                client_no,
                kind,
                status,
                vip_since.isoformat() if vip_since else "",
                f"{assets:.2f}",
                n or 0,
                since.isoformat(),
                rm or "",
            ]
        )
        count += 1
    audit_record(actor=actor, event="clients.export_vips", detail={"rows": count})
    return count
