"""The VIP rule for one client, from the single definitions in ``criteria`` and ``rule``: each
criterion's value, threshold, pass and gap (the dossier, the home widgets), where the client
goes on D and the reasons its history row records (overrides, and the parity test against the
nightly SQL). ``reasons_sql`` is the same reasons object built by the database."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from clients.models import Client, StatusOverride
from clients.qualification import dialect
from clients.qualification.criteria import (
    CRITERIA,
    Check,
    Facts,
    checks,
    recorded_checks,
    sql_recorded_checks,
)
from clients.qualification.measures import Measures, clients_measure
from clients.qualification.rule import State, Transition, next_status
from clients.qualification.window import Window
from clients.selectors import policy_in_force


@dataclass(frozen=True)
class Explained:
    """One criterion as the dossier shows it."""

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
) -> list[Explained]:
    """Each criterion for one client on D with its translated label and, when it fails, gap."""
    facts = Facts(kind, measures.assets, measures.trades, relationship_since, good_standing)
    return [
        Explained(
            check.key,
            criterion.label(window.policy, measures),
            check.value,
            check.threshold,
            check.passed,
            "" if check.passed else criterion.gap(check),
        )
        for criterion, check in zip(CRITERIA, checks(facts, window), strict=True)
    ]


def qualification_explain(*, client: Client, as_of: date | None = None) -> list[Explained]:
    """Each criterion of SPEC section 3 for one client on D: value, threshold, pass, gap."""
    day = as_of or timezone.localdate()
    window = Window.for_day(day, policy_in_force(day))
    measures = clients_measure(client_ids=[client.pk], window=window)[client.pk]
    return criteria_for(
        kind=client.kind,
        relationship_since=client.relationship_since,
        good_standing=client.good_standing,
        measures=measures,
        window=window,
    )


# --- the outcome on D and the history's reasons ---------------------------------------------------


def history_reasons(
    results: list[Check], *, qualifies: bool, window: Window, override: StatusOverride | None
) -> dict:
    """The history row's reasons: per criterion value, threshold and pass, whether the rule
    holds, the policy and the override. Built without the dossier's translated gap texts."""
    return {
        **recorded_checks(results, window),
        "qualifies": qualifies,
        "policy": window.policy.version,
        "override": {"id": override.pk, "reason": override.reason} if override else None,
    }


def reasons_sql(row: str) -> str:
    """``history_reasons`` as a SQL JSON object over the nightly's changes row ``row``."""
    override = dialect.json_object_sql([("id", f"{row}.oid"), ("reason", f"{row}.oreason")])
    return dialect.json_object_sql(
        [
            *sql_recorded_checks(row),
            ("qualifies", dialect.json_bool_sql(f"{row}.q = 1")),
            ("policy", "%(policy)s"),
            ("override", dialect.json_or_null_sql(f"{row}.oid IS NOT NULL", override)),
        ]
    )


@dataclass(frozen=True)
class Outcome:
    """Where one client goes on D, and what its history row would record."""

    transition: Transition
    qualifies: bool
    reasons: dict

    def changes(self, client: Client) -> bool:
        return self.transition != State(client.status, client.vip_since, client.at_risk_since)


def client_outcome(
    *, client: Client, measures: Measures, window: Window, override: StatusOverride | None
) -> Outcome:
    """The rule for one client on D: its criteria, then ``override`` (active on D) or the status
    rules with the grace period."""
    facts = Facts(
        client.kind,
        measures.assets,
        measures.trades,
        client.relationship_since,
        client.good_standing,
    )
    results = checks(facts, window)
    qualifies = all(check.passed for check in results)
    move = next_status(
        State(client.status, client.vip_since, client.at_risk_since),
        qualifies=qualifies,
        override_status=override.status if override else None,
        window=window,
    )
    reasons = history_reasons(results, qualifies=qualifies, window=window, override=override)
    return Outcome(move, qualifies, reasons)
