"""Writes of the clients app: VIP reclassification, overrides, preferences, the core-banking
import and the VIP export."""

import csv
import time
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
    CHANGES_TABLE,
    Candidate,
    Window,
    changes_stage,
    next_status,
    refresh_total_assets,
    rule_params,
)
from core.models import User
from core.services import audit_record

# Changes written per transaction: a few seconds of locks on a big night, no more.
RECLASSIFY_BATCH = 50_000
# From this many changes in a night the clients' statistics are refreshed at once, not left to
# autovacuum (which waits for a tenth of the table to change).
RECLASSIFY_ANALYZE_FROM = 10_000
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


def criteria_for(
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
    return criteria_for(
        kind=client.kind,
        relationship_since=client.relationship_since,
        good_standing=client.good_standing,
        measures=measures,
        window=window,
    )


def _reasons(
    candidate: Candidate, measures: Measures, window: Window, override: dict | None
) -> dict:
    """The history row's reasons: per criterion value, threshold and pass, plus the policy.
    Built without the dossier's translated gap texts: this runs for every changed client."""
    policy = window.policy
    threshold = policy.asset_threshold_for(candidate.kind)
    assets = candidate.total_assets
    return {
        "assets": {
            "value": f"{assets:.2f}",
            "threshold": f"{threshold:.2f}",
            "passed": assets >= threshold,
        },
        "trades": {
            "value": measures.trades,
            "threshold": policy.min_trades,
            "passed": measures.trades >= policy.min_trades,
            "window_from": window.trades_from.isoformat(),
        },
        "relationship": {
            "value": candidate.relationship_since.isoformat(),
            "threshold": window.relationship_cutoff.isoformat(),
            "passed": candidate.relationship_since <= window.relationship_cutoff,
        },
        "good_standing": {
            "value": candidate.good_standing,
            "threshold": True,
            "passed": candidate.good_standing,
        },
        "qualifies": candidate.qualifies,
        "policy": policy.version,
        "override": override,
    }


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

    Set-based and in SQL from end to end: one statement finds every change and the measures
    behind it (``changes_stage``), then each batch of changes is one UPDATE of the statuses and
    one INSERT of the history rows (reasons built by the database), in its own transaction. No
    row travels through Python, so the number of queries does not depend on the number of
    clients, and the run costs about what the hand-written SQL costs (benchmarks/REPORT.md).
    Running it again for the same D finds no change."""
    day = as_of or timezone.localdate()
    policy = VipPolicy.in_force_on(day)
    window = Window.for_day(day, policy)
    with _reclassification_lock():
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        # Sorted, index-ordered plans beat hash aggregates with a million groups.
                        cursor.execute("SET LOCAL enable_hashagg = off")
                        # One big query a night: JIT compilation costs more than it saves here.
                        cursor.execute("SET LOCAL jit = off")
                changes_stage(window)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT from_status, to_status, COUNT(*) FROM {CHANGES_TABLE} "
                        "GROUP BY from_status, to_status"
                    )
                    transitions = {(old, new): n for old, new, n in cursor.fetchall()}
            total = sum(transitions.values())
            for start in range(0, total, RECLASSIFY_BATCH):
                _changes_apply(window=window, first=start + 1, last=start + RECLASSIFY_BATCH)
            if total >= RECLASSIFY_ANALYZE_FROM and connection.vendor == "postgresql":
                # The night's next steps select the VIPs; with statistics from before a go-live
                # the planner expects none and picks nested loops that go quadratic (call-backs
                # for 100k new VIPs: 52-70 s instead of 2 s, benchmarks/REPORT.md).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE clients_client")
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")
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
        changes=total,
        transitions=transitions,
    )


def _json_sql() -> tuple[str, Any]:
    """The database's JSON object builder, and how to turn a SQL condition into a JSON boolean."""
    if connection.vendor == "postgresql":
        return "jsonb_build_object", lambda condition: f"COALESCE({condition}, false)"
    return (
        "json_object",
        lambda condition: f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)",
    )


def _money_text_sql(cents: str) -> str:
    """Integer cents as the history's "1234567.89" text, exactly (no floating point)."""
    if connection.vendor == "postgresql":
        return f"(({cents}) / 100)::numeric(20, 2)::text"
    return (
        f"(CASE WHEN {cents} < 0 THEN '-' ELSE '' END || (abs({cents}) / 100) || '.' "
        f"|| substr('0' || (abs({cents}) %% 100), -2, 2))"
    )


@transaction.atomic
def _changes_apply(*, window: Window, first: int, last: int) -> None:
    """Write changes ``first``..``last`` of ``CHANGES_TABLE``: statuses, then history rows whose
    reasons hold each criterion's value, threshold and pass, the policy and the override, as
    ``_reasons`` does for a single client."""
    policy = window.policy
    build, boolean = _json_sql()
    postgres = connection.vendor == "postgresql"
    day_text = (
        "to_char(ch.relationship_since, 'YYYY-MM-DD')" if postgres else "ch.relationship_since"
    )
    threshold_cents = (
        "CASE WHEN ch.kind = 'corporate' THEN %(corporate_cents)s ELSE %(personal_cents)s END"
    )
    override = (
        f"CASE WHEN ch.oid IS NULL THEN NULL ELSE {build}('id', ch.oid, 'reason', ch.oreason) END"
        if postgres
        else f"json(CASE WHEN ch.oid IS NULL THEN 'null' "
        f"ELSE {build}('id', ch.oid, 'reason', ch.oreason) END)"
    )
    reasons = f"""{build}(
        'assets', {build}(
            'value', {_money_text_sql("ch.assets_cents")},
            'threshold', CASE WHEN ch.kind = 'corporate' THEN %(corporate)s ELSE %(personal)s END,
            'passed', {boolean(f"ch.assets_cents >= {threshold_cents}")}),
        'trades', {build}(
            'value', ch.trades, 'threshold', %(min_trades)s,
            'passed', {boolean("ch.trades >= %(min_trades)s")}, 'window_from', %(window_from)s),
        'relationship', {build}(
            'value', {day_text}, 'threshold', %(rel_cutoff_text)s,
            'passed', {boolean("ch.relationship_since <= %(rel_cutoff)s")}),
        'good_standing', {build}(
            'value', {boolean("ch.good_standing")}, 'threshold', {boolean("1 = 1")},
            'passed', {boolean("ch.good_standing")}),
        'qualifies', {boolean("ch.q = 1")},
        'policy', %(policy)s,
        'override', {override})"""
    params = {
        **rule_params(window),
        "first": first,
        "last": last,
        "personal": f"{policy.personal_asset_threshold:.2f}",
        "corporate": f"{policy.corporate_asset_threshold:.2f}",
        "min_trades": policy.min_trades,
        "window_from": window.trades_from.isoformat(),
        "rel_cutoff_text": window.relationship_cutoff.isoformat(),
        "policy": policy.version,
        "policy_id": policy.pk,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE clients_client AS c SET status = ch.to_status,
                    vip_since = ch.new_vip_since, at_risk_since = ch.new_at_risk_since,
                    status_changed_on = %(as_of)s
                FROM {CHANGES_TABLE} ch
                WHERE c.id = ch.id AND ch.rn BETWEEN %(first)s AND %(last)s""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO clients_statuschange (client_id, effective_on, from_status,
                    to_status, reasons, policy_id, override_id, created_at)
                SELECT ch.id, %(as_of)s, ch.from_status, ch.to_status, {reasons},
                       %(policy_id)s, ch.oid, %(now)s
                FROM {CHANGES_TABLE} ch
                WHERE ch.rn BETWEEN %(first)s AND %(last)s
                ORDER BY ch.rn""",
            params,
        )


# --- supervisor overrides ----------------------------------------------------------------------


class OverrideError(ValueError):
    """An override the rules refuse (its message is shown to the supervisor)."""


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
        for c in criteria_for(
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
    # The log entry needs an object: the policy the export was made under (commands have no user).
    audit_record(
        actor=actor,
        event="clients.export_vips",
        instance=window.policy if window.policy.pk else actor,
        detail={"rows": count, "as_of": day.isoformat()},
    )
    return count


# --- core-banking import -------------------------------------------------------------------------

IMPORT_CHUNK = 20_000
MAX_REPORTED_ERRORS = 100_000
STAGE = "corebanking_stage"

_STAGE_COLUMNS = {
    # name: (PostgreSQL type, SQLite type)
    "clients": [
        ("client_no", "text", "text"),
        ("name", "text", "text"),
        ("kind", "text", "text"),
        ("id_number", "text", "text"),
        ("phone", "text", "text"),
        ("phone_normalized", "text", "text"),
        ("email", "text", "text"),
        ("branch_code", "text", "text"),
        ("relationship_since", "date", "text"),
        ("good_standing", "boolean", "integer"),
    ],
    "balances": [
        ("client_no", "text", "text"),
        ("account_no", "text", "text"),
        ("as_of", "date", "text"),
        ("balance", "numeric(18,2)", "numeric"),
    ],
    "trades": [
        ("trade_id", "text", "text"),
        ("client_no", "text", "text"),
        ("account_no", "text", "text"),
        ("executed_at", "timestamptz", "text"),
        ("amount", "numeric(18,2)", "numeric"),
    ],
}
_KEYS = {"clients": ["client_no"], "balances": ["account_no", "as_of"], "trades": ["trade_id"]}


@dataclass
class ImportReport:
    kind: str
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    errors: list = field(default_factory=list)
    errors_not_listed: int = 0
    # True when the COPY fast path imported the file (PostgreSQL), False when it was parsed row
    # by row.
    copied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.errors_not_listed


class _Errors:
    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, error) -> None:
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(error)
        else:
            self.report.errors_not_listed += 1


def corebanking_import(
    *, kind: str, file: IO[bytes], encoding: str | None = None, progress=None
) -> ImportReport:
    """Import one core-banking CSV file (SPEC section 2) all or nothing.

    One streaming pass parses each row (bounded memory) and loads the well-formed ones, with their
    line numbers, into a temporary staging table (PostgreSQL: COPY; SQLite: executemany). The
    checks that need the whole file or the database (duplicate keys, unknown clients or branches,
    accounts of another client) are set-based queries on that table, so no set of keys is held in
    memory. With any bad row nothing is written; otherwise ``INSERT ... SELECT ... ON CONFLICT DO
    UPDATE`` upserts from the staging table, rewriting only rows whose values differ, so a second
    import of the same file changes nothing.

    On PostgreSQL a file is first tried on the COPY fast path (``_copy_import``); only a file that
    path does not accept whole is parsed row by row, as on SQLite, which reports its errors."""
    from clients import corebanking

    if kind not in corebanking.KINDS:
        raise ValueError(kind)
    encodings = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    if connection.vendor == "postgresql":
        report = _copy_import(kind, file, encodings, progress)
        if report is not None:
            return report
    with transaction.atomic():
        _stage_create(kind)
        try:
            for position, candidate in enumerate(encodings):
                report = ImportReport(kind=kind, encoding=candidate)
                try:
                    file.seek(0)
                    _stage_load(kind, file, candidate, report, progress)
                    break
                except UnicodeDecodeError as exc:
                    if position + 1 < len(encodings):
                        with connection.cursor() as cursor:
                            cursor.execute(f"DELETE FROM {STAGE}")
                        continue
                    report.errors = [
                        corebanking.RowError(
                            0,
                            "",
                            _("the file is not valid %(encoding)s text (%(detail)s)")
                            % {"encoding": candidate, "detail": exc.reason},
                        )
                    ]
                except LookupError:
                    report.errors = [
                        corebanking.RowError(
                            0, "", _("unknown encoding %(encoding)s") % {"encoding": candidate}
                        )
                    ]
            if report.errors and report.rows == 0:
                return report  # an unreadable file or header: no row was looked at
            _stage_check(kind, report)
            report.errors.sort(key=lambda e: (e.line, e.column))
            if report.ok:
                if connection.vendor != "postgresql":
                    _stage_count(kind, report)
                _stage_write(kind, report, STAGE)
        finally:
            # PostgreSQL drops it at commit (ON COMMIT DROP); a failed transaction there must not
            # run another statement.
            if connection.vendor != "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    return report


# The COPY fast path (PostgreSQL). COPY reads the file into a table of text columns at COPY's own
# speed, SQL checks every field and the whole-file rules in one pass over it, and one upsert casts
# and writes: no Python per row. It only ever accepts a file whole; anything it is not sure of (a
# bad or unusual row, a failed cast, quoting) rolls it back and ``corebanking_import`` parses the
# file row by row instead, so rejected files get exactly the Python path's error report.
COPY_TABLE = "corebanking_copy"
COPY_ACCOUNTS = "corebanking_copy_accounts"
COPY_READ = 1 << 20  # bytes per read: COPY's buffer and the progress report's step
COPY_WORK_MEM = "64MB"


class _NotFast(Exception):
    """The file needs the row-by-row path (the reason is logged)."""


class _CopySource:
    """What COPY reads: the file decoded with ``encoding`` and re-encoded as UTF-8 (so PostgreSQL
    and Python never decode differently), after the header line, which ``header`` parses.

    COPY runs with quoting disabled (QUOTE is a control character the text may not contain), and
    a file with a double quote anywhere takes the Python path: Python's csv module and COPY read
    misplaced quotes differently, while without quotes both just split on commas and line ends.
    Lines are counted to check that COPY read as many rows as there are lines (COPY would stop at
    a line holding only ``\\.``) and to report progress."""

    def __init__(self, file: IO[bytes], encoding: str, progress):
        import codecs
        import time

        try:
            self.decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError:
            raise _NotFast("unknown encoding") from None
        self.file = file
        self.progress = progress
        self.clock = time.monotonic
        self.started = self.clock()
        self.lines = 0
        self.last = "\n"
        self.pending = ""
        self.failure = ""

    def _decoded(self) -> str:
        """The next text, "" only at the end (a few bytes can decode to nothing yet)."""
        while True:
            data = self.file.read(COPY_READ)
            try:
                text = self.decoder.decode(data, final=not data)
            except UnicodeDecodeError:
                self.failure = "decode"
                raise
            if text or not data:
                return text

    def header(self) -> list[str]:
        text = self.pending
        while "\n" not in text:
            more = self._decoded()
            if not more:
                break
            text += more
        line, newline, self.pending = text.partition("\n")
        line = line.removesuffix("\r")
        if not newline or '"' in line or "\r" in line:
            raise _NotFast("header")
        return line.split(",")

    def read(self, size: int = -1) -> bytes:
        text, self.pending = self.pending + self._decoded(), ""
        if not text:
            if self.progress:
                self.progress(self.rows, self.clock() - self.started)
            return b""
        if '"' in text or "\x01" in text:
            self.failure = "quotes"
            raise _NotFast(self.failure)
        self.lines += text.count("\n")
        self.last = text[-1]
        if self.progress:
            self.progress(self.lines, self.clock() - self.started)
        return text.encode()

    @property
    def rows(self) -> int:
        return self.lines + (self.last != "\n")


def _copy_import(kind: str, file: IO[bytes], encodings: list[str], progress) -> ImportReport | None:
    """The file imported by the fast path, or None when it needs the row-by-row path (after
    rolling back whatever the fast path did)."""
    import logging

    from django.db import DatabaseError

    for candidate in encodings:
        file.seek(0)
        source = _CopySource(file, candidate, progress)
        try:
            with transaction.atomic():
                report = ImportReport(kind=kind, encoding=candidate, copied=True)
                return _copy_load(kind, source, report)
        except (_NotFast, DatabaseError, UnicodeDecodeError) as exc:
            if source.failure == "decode":
                continue  # the next encoding, as the Python path does
            logging.getLogger(__name__).info(
                "%s import takes the row-by-row path: %s", kind, exc or type(exc).__name__
            )
            return None
    return None


def _copy_load(kind: str, source: _CopySource, report: ImportReport) -> ImportReport:
    from clients import corebanking

    names = source.header()
    if corebanking.header_errors(kind, names):
        raise _NotFast("header")
    columns = corebanking.COLUMNS[kind]
    with connection.cursor() as cursor:
        # Left by an earlier import in the same transaction (they go at commit).
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}, {COPY_ACCOUNTS}")
        # The duplicate-key and per-account aggregates hash millions of keys: with the default
        # 4 MB they spill to disk in many batches. Bounded, and only for this transaction.
        cursor.execute(f"SET LOCAL work_mem = '{COPY_WORK_MEM}'")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {COPY_TABLE} ({', '.join(f'{c} text' for c in columns)})"
            " ON COMMIT DROP"
        )
        # FORCE_NOT_NULL: an empty field is '', as csv.reader gives it. (Django's cursor passes
        # copy_expert through unwrapped: its errors become Django's here.)
        with connection.wrap_database_errors:
            cursor.copy_expert(
                f"""COPY {COPY_TABLE} ({", ".join(names)}) FROM STDIN WITH (FORMAT csv,
                QUOTE E'\\x01', ENCODING 'UTF8', FORCE_NOT_NULL ({", ".join(columns)}))""",
                source,
                COPY_READ,  # positional: Django's debug cursor takes no keywords here
            )
        report.rows = cursor.rowcount
        if report.rows != source.rows:
            raise _NotFast("rows")
        sample = ""
        if kind == "trades":
            cursor.execute(f"SELECT executed_at FROM {COPY_TABLE} LIMIT 1")
            sample = (cursor.fetchone() or [""])[0]
        valid = corebanking.sql_valid(kind, "s", sample)
        key = ", ".join(_KEYS[kind])
        cursor.execute(
            f"SELECT EXISTS (SELECT FROM {COPY_TABLE} GROUP BY {key} HAVING COUNT(*) > 1)"
        )
        if cursor.fetchone()[0]:
            raise _NotFast("duplicate keys")
        if kind == "clients":
            cursor.execute(
                f"""SELECT EXISTS (SELECT FROM {COPY_TABLE} s
                    LEFT JOIN core_branch b ON b.code = s.branch_code
                    WHERE b.id IS NULL OR NOT ({valid}))"""
            )
            if cursor.fetchone()[0]:
                raise _NotFast("bad rows")
            _stage_write(kind, report, _copy_typed(kind))
            return report
        # One pass checks every row and its client, and gives each account its one client.
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {COPY_ACCOUNTS} ON COMMIT DROP AS
                SELECT s.account_no, MIN(c.id) AS client_id,
                       bool_and(c.id IS NOT NULL AND {valid}) AND MIN(c.id) = MAX(c.id) AS ok
                FROM {COPY_TABLE} s LEFT JOIN clients_client c ON c.client_no = s.client_no
                GROUP BY s.account_no"""
        )
        cursor.execute(
            f"""SELECT EXISTS (SELECT FROM {COPY_ACCOUNTS} g
                LEFT JOIN clients_account a ON a.account_no = g.account_no
                WHERE NOT g.ok OR a.client_id <> g.client_id)"""
        )
        if cursor.fetchone()[0]:
            raise _NotFast("bad rows")
        cursor.execute(
            f"""INSERT INTO clients_account (account_no, client_id)
                SELECT account_no, client_id FROM {COPY_ACCOUNTS}
                ON CONFLICT (account_no) DO NOTHING"""
        )
        report.accounts_created = cursor.rowcount
        _rows_upsert(cursor, kind, _copy_typed(kind), report)
    return report


def _copy_typed(kind: str) -> str:
    """The fast path's text table as the staging table's columns and types."""
    from clients import corebanking

    values = [
        f"{corebanking.sql_value(column, 'r')} AS {column}" for column in corebanking.COLUMNS[kind]
    ]
    if kind == "clients":
        values.append(f"{corebanking.sql_phone_normalized('r')} AS phone_normalized")
    return f"(SELECT {', '.join(values)} FROM {COPY_TABLE} r)"


def _stage_create(kind: str) -> None:
    postgres = connection.vendor == "postgresql"
    columns = ", ".join(
        f"{name} {pg if postgres else lite}" for name, pg, lite in _STAGE_COLUMNS[kind]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        on_commit = " ON COMMIT DROP" if postgres else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (line integer NOT NULL, {columns}){on_commit}"
        )


def _stage_load(kind: str, file: IO[bytes], encoding: str, report: ImportReport, progress) -> None:
    import io
    import time

    from clients import corebanking

    errors = _Errors(report)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        problems = corebanking.header_errors(kind, header)
        if problems:
            report.errors = problems
            return
        names = [h.strip() for h in header]
        started = time.monotonic()
        chunk: list[dict] = []
        for values in reader:
            line = reader.line_num
            if not values or values == [""]:
                continue
            report.rows += 1
            if len(values) != len(names):
                errors.add(
                    corebanking.RowError(
                        line,
                        "",
                        _("expected %(n)d fields, found %(m)d")
                        % {"n": len(names), "m": len(values)},
                    )
                )
                continue
            row, row_errors = corebanking.parse_row(
                kind, line, dict(zip(names, values, strict=True))
            )
            for error in row_errors:
                errors.add(error)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= IMPORT_CHUNK:
                _stage_insert(kind, chunk)
                chunk = []
                if progress:
                    progress(report.rows, time.monotonic() - started)
        if chunk:
            _stage_insert(kind, chunk)
        if progress:
            progress(report.rows, time.monotonic() - started)
    finally:
        text.detach()


def _stage_value(value: Any) -> Any:
    from datetime import datetime

    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _stage_insert(kind: str, rows: list[dict]) -> None:
    import io
    from operator import itemgetter

    names = ["line", *[name for name, _pg, _lite in _STAGE_COLUMNS[kind]]]
    if connection.vendor == "postgresql":
        # csv writes dates, instants (with their offset), Decimals and booleans as str() does,
        # which PostgreSQL reads back as the same values; quoting every field keeps "" apart
        # from NULL. One COPY per chunk, with no per-value Python code: this is the hot loop.
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(map(itemgetter(*names), rows))
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
        return
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {STAGE} ({', '.join(names)}) VALUES ({placeholders})",
            [[_stage_value(row[n]) for n in names] for row in rows],
        )


def _stage_check(kind: str, report: ImportReport) -> None:
    """Whole-file and database checks, set-based on the staging table."""
    from clients import corebanking

    errors = _Errors(report)
    keys = _KEYS[kind]
    key_list = ", ".join(keys)
    key_join = " AND ".join(f"s.{k} = f.{k}" for k in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {STAGE}_key ON {STAGE} ({key_list})")
        cursor.execute(
            f"""SELECT s.line, f.first_line FROM {STAGE} s
                JOIN (SELECT {key_list}, MIN(line) AS first_line FROM {STAGE}
                      GROUP BY {key_list} HAVING COUNT(*) > 1) f ON {key_join}
                WHERE s.line <> f.first_line ORDER BY s.line"""
        )
        for line, first in cursor.fetchall():
            errors.add(
                corebanking.RowError(
                    line,
                    "+".join(keys),
                    _("duplicate key in the file (first on line %(line)d)") % {"line": first},
                )
            )
        if kind == "clients":
            cursor.execute(
                f"""SELECT s.line FROM {STAGE} s LEFT JOIN core_branch b ON b.code = s.branch_code
                    WHERE b.id IS NULL ORDER BY s.line"""
            )
            for (line,) in cursor.fetchall():
                errors.add(corebanking.RowError(line, "branch_code", _("unknown branch")))
            return
        cursor.execute(
            f"""SELECT s.line FROM {STAGE} s LEFT JOIN clients_client c ON c.client_no = s.client_no
                WHERE c.id IS NULL ORDER BY s.line"""
        )
        for (line,) in cursor.fetchall():
            errors.add(corebanking.RowError(line, "client_no", _("unknown client")))
        cursor.execute(
            f"""SELECT s.line, c.client_no FROM {STAGE} s
                JOIN clients_account a ON a.account_no = s.account_no
                JOIN clients_client c ON c.id = a.client_id
                WHERE c.client_no <> s.client_no ORDER BY s.line"""
        )
        for line, owner in cursor.fetchall():
            errors.add(
                corebanking.RowError(
                    line,
                    "account_no",
                    _("the account belongs to another client (%(client)s)") % {"client": owner},
                )
            )
        # MIN <> MAX says "more than one client" (client_no is required) without the sort
        # COUNT(DISTINCT) needs: half the time of this check on a big file.
        cursor.execute(
            f"""SELECT s.line, s0.client_no, s0.line FROM {STAGE} s
                JOIN (SELECT account_no, MIN(line) AS first_line FROM {STAGE}
                      GROUP BY account_no HAVING MIN(client_no) <> MAX(client_no)) f
                  ON f.account_no = s.account_no
                JOIN {STAGE} s0 ON s0.line = f.first_line
                WHERE s.client_no <> s0.client_no ORDER BY s.line"""
        )
        for line, owner, first in cursor.fetchall():
            errors.add(
                corebanking.RowError(
                    line,
                    "account_no",
                    _("the account belongs to client %(client)s (line %(line)d)")
                    % {"client": owner, "line": first},
                )
            )


def _stage_count(kind: str, report: ImportReport) -> None:
    if kind == "clients":
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_client c ON c.client_no = s.client_no"
        )
        same = (
            " JOIN core_branch b ON b.code = s.branch_code WHERE c.name = s.name"
            " AND c.kind = s.kind AND c.id_number = s.id_number AND c.phone = s.phone"
            " AND c.email = s.email AND c.branch_id = b.id"
            " AND c.relationship_since = s.relationship_since"
            " AND c.good_standing = s.good_standing"
        )
    elif kind == "balances":
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_account a ON a.account_no = s.account_no"
            " JOIN clients_balance t ON t.account_id = a.id AND t.as_of = s.as_of"
        )
        same = " WHERE t.balance = s.balance"
    else:
        exists = (
            f"SELECT COUNT(*) FROM {STAGE} s JOIN clients_trade t ON t.trade_id = s.trade_id"
            " JOIN clients_account a ON a.account_no = s.account_no"
        )
        same = (
            " WHERE t.account_id = a.id AND t.executed_at = s.executed_at AND t.amount = s.amount"
        )
    with connection.cursor() as cursor:
        cursor.execute(exists)
        existing = cursor.fetchone()[0]
        cursor.execute(exists + same)
        report.unchanged = cursor.fetchone()[0]
    report.created = report.rows - existing
    report.updated = existing - report.unchanged


def _upsert(cursor, sql: str, params: list, report: ImportReport) -> None:
    """Run an ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed>``. On PostgreSQL its own
    output gives the counts (a row inserted has xmax 0, one updated the lock's xid; unchanged
    rows are not returned), so no extra joins count them beforehand."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    cursor.execute(
        f"""WITH w AS ({sql} RETURNING (xmax = 0) AS created)
            SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FROM w""",
        params,
    )
    created, written = cursor.fetchone()
    report.created, report.updated = created, written - created
    report.unchanged = report.rows - written


def _stage_write(kind: str, report: ImportReport, source: str) -> None:
    """Upsert from ``source``: the staging table, or a query over the COPY fast path's text table
    giving the same columns and types."""
    from clients.models import ContactChannel, RiskLevel

    with connection.cursor() as cursor:
        if kind == "clients":
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            changed = " OR ".join(
                f"clients_client.{c} <> excluded.{c}"
                for c in (
                    "name",
                    "kind",
                    "id_number",
                    "phone",
                    "email",
                    "branch_id",
                    "relationship_since",
                    "good_standing",
                )
            )
            _upsert(
                cursor,
                f"""INSERT INTO clients_client (client_no, name, kind, id_number, phone,
                        phone_normalized, email, branch_id, relationship_since, good_standing,
                        status, total_assets, preferred_channel, preferred_language, interests,
                        risk_level, created_at, updated_at)
                    SELECT s.client_no, s.name, s.kind, s.id_number, s.phone, s.phone_normalized,
                           s.email, b.id, s.relationship_since, s.good_standing, %s, 0, %s, %s,
                           '', %s, %s, %s
                    FROM {source} s JOIN core_branch b ON b.code = s.branch_code WHERE 1 = 1
                    ON CONFLICT (client_no) DO UPDATE SET name = excluded.name,
                        kind = excluded.kind, id_number = excluded.id_number,
                        phone = excluded.phone, phone_normalized = excluded.phone_normalized,
                        email = excluded.email, branch_id = excluded.branch_id,
                        relationship_since = excluded.relationship_since,
                        good_standing = excluded.good_standing, updated_at = excluded.updated_at
                    WHERE {changed}""",
                [
                    VipStatus.STANDARD,
                    ContactChannel.PHONE,
                    "zh-hans",
                    RiskLevel.R3,
                    now,
                    now,
                ],
                report,
            )
            return
        cursor.execute(
            f"""INSERT INTO clients_account (account_no, client_id)
                SELECT s.account_no, MIN(c.id) FROM {STAGE} s
                JOIN clients_client c ON c.client_no = s.client_no WHERE 1 = 1
                GROUP BY s.account_no
                ON CONFLICT (account_no) DO NOTHING"""
        )
        report.accounts_created = max(cursor.rowcount, 0)
        _rows_upsert(cursor, kind, source, report)


def _rows_upsert(cursor, kind: str, source: str, report: ImportReport) -> None:
    """Balances or trades, once their accounts exist."""
    if kind == "balances":
        _upsert(
            cursor,
            f"""INSERT INTO clients_balance (account_id, as_of, balance)
                SELECT a.id, s.as_of, s.balance FROM {source} s
                JOIN clients_account a ON a.account_no = s.account_no WHERE 1 = 1
                ON CONFLICT (account_id, as_of) DO UPDATE SET balance = excluded.balance
                WHERE clients_balance.balance <> excluded.balance""",
            [],
            report,
        )
        # ``source`` may be a query: the client numbers are the same in the table under it.
        refresh_total_assets(
            as_of=timezone.localdate(), only_in=STAGE if source == STAGE else COPY_TABLE
        )
        return
    _upsert(
        cursor,
        f"""INSERT INTO clients_trade (trade_id, client_id, account_id, executed_at, amount)
            SELECT s.trade_id, a.client_id, a.id, s.executed_at, s.amount FROM {source} s
            JOIN clients_account a ON a.account_no = s.account_no WHERE 1 = 1
            ON CONFLICT (trade_id) DO UPDATE SET client_id = excluded.client_id,
                account_id = excluded.account_id, executed_at = excluded.executed_at,
                amount = excluded.amount
            WHERE clients_trade.account_id <> excluded.account_id
               OR clients_trade.executed_at <> excluded.executed_at
               OR clients_trade.amount <> excluded.amount""",
        [],
        report,
    )


@dataclass
class NightlyCycleResult:
    reclassification: ReclassificationResult
    assignments: dict
    callbacks_created: int
    # Wall-clock seconds of each step, for the operations log and the benchmarks.
    seconds: dict[str, float] = field(default_factory=dict)


def vip_programme_nightly(*, as_of: date | None = None) -> NightlyCycleResult:
    """The 02:00 job (SPEC section 8): apply the rule, give every new VIP an RM (and release the
    downgraded), then create the month's call-back for new VIPs the same day (SPEC section 5).
    Each step is idempotent and works from the database's state alone, so a re-run or a run after
    an outage only does what is still missing; the steps keep their own transactions so one long
    run does not hold every lock at once."""
    from managers.services import assignments_sync
    from servicedesk.services import callbacks_generate

    started = time.monotonic()
    result = vip_statuses_reclassify(as_of=as_of)
    ruled = time.monotonic()
    assignments = assignments_sync(as_of=result.as_of)
    assigned = time.monotonic()
    created = callbacks_generate(on=result.as_of)
    return NightlyCycleResult(
        reclassification=result,
        assignments=assignments,
        callbacks_created=created,
        seconds={
            "rule": ruled - started,
            "assignments": assigned - ruled,
            "callbacks": time.monotonic() - assigned,
        },
    )
