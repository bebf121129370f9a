"""The four criteria of SPEC section 3, each defined once: its threshold, how its value compares
with it, how the dossier explains it and how the history records it, for one client in Python
and for every client in SQL (the nightly run).

Each criterion is one class holding both sides next to each other, and the comparison operator
is a single attribute both sides use. ``sql.changes_stage`` composes the SQL tests,
``reclassify`` the SQL reasons, ``explain`` the Python side;
tests/clients/test_rule_parity.py runs both on one generated bank and compares them.

The dates come from ``Window`` (activity window, relationship cut-off) and the amounts from
``measures`` (one asset measure for both sides).
"""

import operator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from clients.models import ClientKind, VipPolicy
from clients.qualification import dialect
from clients.qualification.measures import Measures, assets_params
from clients.qualification.window import Window
from core.templatetags.vip import money


@dataclass(frozen=True)
class Facts:
    """What the rule reads of one client on D."""

    kind: str
    assets: Decimal  # as ``measures.account_cents_sql`` measures them
    trades: int  # in the activity window
    relationship_since: date
    good_standing: bool


@dataclass(frozen=True)
class Check:
    """One criterion for one client on D."""

    key: str
    value: Any
    threshold: Any
    passed: bool


_OPERATORS = {">=": operator.ge, "<=": operator.le, "=": operator.eq}


class Criterion:
    """A criterion. ``op`` compares the value with the threshold on both sides. SQL methods take
    the alias of a row with the client's columns and, as ``assets_cents`` and ``trades``, its
    measures (the nightly's changes table)."""

    key: ClassVar[str]
    op: ClassVar[str]

    def value(self, facts: Facts) -> Any:
        return getattr(facts, self.key)

    def threshold(self, window: Window, kind: str) -> Any:
        raise NotImplementedError

    def check(self, facts: Facts, window: Window) -> Check:
        value, threshold = self.value(facts), self.threshold(window, facts.kind)
        return Check(self.key, value, threshold, _OPERATORS[self.op](value, threshold))

    def sql_value(self, row: str) -> str:
        return f"{row}.{self.key}"

    def sql_threshold(self, row: str) -> str:
        raise NotImplementedError

    def sql_passed(self, row: str) -> str:
        return f"{self.sql_value(row)} {self.op} {self.sql_threshold(row)}"

    # What the history records (JSON): the same fields on both sides.
    def recorded(self, check: Check, window: Window) -> dict:
        return {"value": check.value, "threshold": check.threshold, "passed": check.passed}

    def sql_recorded(self, row: str) -> list[tuple[str, str]]:
        return [
            ("value", self.sql_value(row)),
            ("threshold", self.sql_threshold(row)),
            ("passed", dialect.json_bool_sql(self.sql_passed(row))),
        ]

    # The dossier's explanation (translated).
    def label(self, policy: VipPolicy, measures: Measures) -> str:
        raise NotImplementedError

    def gap(self, check: Check) -> str:
        raise NotImplementedError


class Assets(Criterion):
    """Total assets at least the threshold of the client's kind (personal ¥1M, corporate ¥5M)."""

    key = "assets"
    op = ">="

    def threshold(self, window: Window, kind: str) -> Decimal:
        return window.policy.asset_threshold_for(kind)

    def sql_value(self, row: str) -> str:
        return f"{row}.assets_cents"

    def sql_threshold(self, row: str) -> str:
        return self._by_kind(row, "cents")

    def qualifies_sql(self, row: str, cents_ref: str) -> str:
        """The test on ``cents_ref``, the summed assets of the client ``row``, in the nightly's
        statement."""
        return f"{cents_ref} {self.op} {self._by_kind(row, 'cents')}"

    @staticmethod
    def _by_kind(row: str, form: str) -> str:
        return (
            f"CASE WHEN {row}.kind = '{ClientKind.CORPORATE}' THEN %(corporate_{form})s "
            f"ELSE %(personal_{form})s END"
        )

    def recorded(self, check: Check, window: Window) -> dict:
        return {
            "value": f"{check.value:.2f}",
            "threshold": f"{check.threshold:.2f}",
            "passed": check.passed,
        }

    def sql_recorded(self, row: str) -> list[tuple[str, str]]:
        return [
            ("value", dialect.money_text_sql(self.sql_value(row))),
            ("threshold", self._by_kind(row, "text")),
            ("passed", dialect.json_bool_sql(self.sql_passed(row))),
        ]

    def label(self, policy: VipPolicy, measures: Measures) -> str:
        """ "Total assets", or the average daily assets with its period and the days counted."""
        average = measures.average
        if average is None:
            return _("Total assets")
        return _(
            "Average daily assets %(first)s – %(last)s (%(days)d days; a balance known on "
            "%(known)d of them, the others count as zero)"
        ) % {
            "first": average.first.isoformat(),
            "last": average.last.isoformat(),
            "days": average.days,
            "known": average.days_with_balance,
        }

    def gap(self, check: Check) -> str:
        return _("needs %(amount)s more") % {"amount": money(check.threshold - check.value)}


class Trades(Criterion):
    """At least N trades in the activity window."""

    key = "trades"
    op = ">="

    def threshold(self, window: Window, kind: str) -> int:
        return window.policy.min_trades

    def sql_threshold(self, row: str) -> str:
        return "%(min_trades)s"

    def qualifies_sql(self, client_ref: str) -> str:
        """``COUNT(trades in the window) >= N`` reading at most N entries of the (client,
        executed_at) index, so its cost does not grow with trade volume."""
        return (
            f"EXISTS (SELECT 1 FROM clients_trade t WHERE t.client_id = {client_ref} "
            "AND t.executed_at >= %(starts_at)s AND t.executed_at < %(ends_before)s "
            "ORDER BY t.executed_at LIMIT 1 OFFSET %(skip)s)"
        )

    @staticmethod
    def count_sql(client_ref: str, *, starts: str = "%(starts_at)s") -> str:
        """The full count of trades in the window (what the history records); ``starts``: a
        later first instant (the early warning's trades still in the window some days on)."""
        return (
            f"(SELECT COUNT(*) FROM clients_trade t WHERE t.client_id = {client_ref} "
            f"AND t.executed_at >= {starts} AND t.executed_at < %(ends_before)s)"
        )

    def recorded(self, check: Check, window: Window) -> dict:
        return {**super().recorded(check, window), "window_from": window.trades_from.isoformat()}

    def sql_recorded(self, row: str) -> list[tuple[str, str]]:
        return [*super().sql_recorded(row), ("window_from", "%(window_from)s")]

    def label(self, policy: VipPolicy, measures: Measures) -> str:
        return _("Trades in the last %(n)d months") % {"n": policy.activity_months}

    def gap(self, check: Check) -> str:
        return _("needs %(n)d more trades") % {"n": check.threshold - check.value}


class Relationship(Criterion):
    """A relationship of at least the policy's years: since the cut-off day or earlier."""

    key = "relationship"
    op = "<="

    def value(self, facts: Facts) -> date:
        return facts.relationship_since

    def sql_value(self, row: str) -> str:
        return f"{row}.relationship_since"

    def threshold(self, window: Window, kind: str) -> date:
        return window.relationship_cutoff

    def sql_threshold(self, row: str) -> str:
        return "%(rel_cutoff)s"

    def recorded(self, check: Check, window: Window) -> dict:
        return {
            "value": check.value.isoformat(),
            "threshold": check.threshold.isoformat(),
            "passed": check.passed,
        }

    def sql_recorded(self, row: str) -> list[tuple[str, str]]:
        return [
            ("value", dialect.date_text_sql(self.sql_value(row))),
            ("threshold", "%(rel_cutoff_text)s"),
            ("passed", dialect.json_bool_sql(self.sql_passed(row))),
        ]

    def label(self, policy: VipPolicy, measures: Measures) -> str:
        return _("Relationship since")

    def gap(self, check: Check) -> str:
        return _("needs %(n)d more days") % {"n": (check.value - check.threshold).days}


class GoodStanding(Criterion):
    """In good standing with the core-banking system."""

    key = "good_standing"
    op = "="

    def threshold(self, window: Window, kind: str) -> bool:
        return True

    def sql_threshold(self, row: str) -> str:
        return dialect.json_bool_sql("1 = 1")

    def sql_passed(self, row: str) -> str:
        return self.sql_value(row)

    def sql_recorded(self, row: str) -> list[tuple[str, str]]:
        passed = dialect.json_bool_sql(self.sql_passed(row))
        return [("value", passed), ("threshold", self.sql_threshold(row)), ("passed", passed)]

    def label(self, policy: VipPolicy, measures: Measures) -> str:
        return _("Good standing")

    def gap(self, check: Check) -> str:
        return _("not in good standing with the core banking system")


ASSETS, TRADES, RELATIONSHIP, GOOD_STANDING = Assets(), Trades(), Relationship(), GoodStanding()
# In the order the dossier shows them and the history records them.
CRITERIA: tuple[Criterion, ...] = (ASSETS, TRADES, RELATIONSHIP, GOOD_STANDING)
# The criteria on the client's own columns: the nightly tests them first (cheapest).
ON_CLIENT_ROW: tuple[Criterion, ...] = (GOOD_STANDING, RELATIONSHIP)


def checks(facts: Facts, window: Window) -> list[Check]:
    """Every criterion for one client on D, in ``CRITERIA`` order."""
    return [criterion.check(facts, window) for criterion in CRITERIA]


def recorded_checks(results: list[Check], window: Window) -> dict:
    """The history's per-criterion reasons from ``checks``."""
    return {
        criterion.key: criterion.recorded(check, window)
        for criterion, check in zip(CRITERIA, results, strict=True)
    }


def sql_recorded_checks(row: str) -> list[tuple[str, str]]:
    """The same reasons as JSON objects over the row ``row`` (``recorded_checks`` in SQL)."""
    return [
        (criterion.key, dialect.json_object_sql(criterion.sql_recorded(row)))
        for criterion in CRITERIA
    ]


def sql_params(window: Window) -> dict:
    """The SQL parameters of the criteria and the calendar for D (dates adapted for the database
    in use): the Python thresholds, passed as they are."""
    policy = window.policy
    return {
        **assets_params(window),
        "rel_cutoff": dialect.date_param(window.relationship_cutoff),
        "rel_cutoff_text": window.relationship_cutoff.isoformat(),
        "grace_cutoff": dialect.date_param(window.grace_cutoff),
        "starts_at": dialect.datetime_param(window.starts_at),
        "ends_before": dialect.datetime_param(window.ends_before),
        "window_from": window.trades_from.isoformat(),
        "min_trades": policy.min_trades,
        "skip": max(policy.min_trades - 1, 0),
        **{
            f"{kind}_{form}": value
            for kind, threshold in (
                ("personal", policy.asset_threshold_for(ClientKind.PERSONAL)),
                ("corporate", policy.asset_threshold_for(ClientKind.CORPORATE)),
            )
            for form, value in (("cents", dialect.cents(threshold)), ("text", f"{threshold:.2f}"))
        },
    }
