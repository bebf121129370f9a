"""The typed results of ``analytics.services`` (SPEC section 7): a year's figures, a month's row,
an RM's own figures and a branch's or RM's breakdown row.

Counts are ints; rates (``Decimal`` fractions to 4 places, 0.9231 = 92.31 %) are derived from the
counts beside them, so a year's rate is always the rate of the summed months; money is
``Decimal`` yuan. A rate with nothing to count is ``None``. ``as_json`` gives the JSON shape the
nightly snapshot stores and ``kpi_report --json`` prints (Decimals as exact strings)."""

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self

from analytics.models import BudgetLineKind

RATE_PLACES = Decimal("0.0001")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` to 4 places (half up); ``None`` with nothing to count."""
    if not denominator:
        return None
    return (Decimal(int(numerator)) / Decimal(int(denominator))).quantize(
        RATE_PLACES, rounding=ROUND_HALF_UP
    )


def jsonable(value: Any) -> Any:
    """Decimal → string (keeps its precision), date → ISO string, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class MonthFigures:
    """One month's counts (the trend charts, the month table, and the sums of the year)."""

    month: int
    satisfaction_good: int = 0
    satisfaction_total: int = 0
    vip_count: int = 0
    new_vips: int = 0
    churned: int = 0
    sla_met: int = 0
    sla_total: int = 0
    callbacks_completed: int = 0
    callbacks_total: int = 0
    callback_needs: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfaction_good, self.satisfaction_total)

    @property
    def sla_rate(self) -> Decimal | None:
        return rate(self.sla_met, self.sla_total)

    @property
    def callback_rate(self) -> Decimal | None:
        return rate(self.callbacks_completed, self.callbacks_total)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """A month read back from a snapshot: its counts (rates are derived again)."""
        known = {f.name for f in fields(cls)}
        counts = {k: v for k, v in data.items() if k in known}
        for key in ("by_category", "by_channel"):
            counts[key] = {str(k): int(v) for k, v in (counts.get(key) or {}).items()}
        return cls(**{k: v if isinstance(v, dict) else int(v) for k, v in counts.items()})

    def as_json(self) -> dict[str, Any]:
        return jsonable(
            asdict(self)
            | {
                "satisfaction_rate": self.satisfaction_rate,
                "sla_rate": self.sla_rate,
                "callback_rate": self.callback_rate,
            }
        )


def total(months: list[MonthFigures], name: str) -> int:
    """The sum of one count over months."""
    return sum(getattr(m, name) for m in months)


def merged(months: list[MonthFigures], name: str) -> dict[str, int]:
    """The sum of one per-key count (``by_category``, ``by_channel``) over months, keys sorted."""
    result: dict[str, int] = {}
    for month in months:
        for key, count in getattr(month, name).items():
            result[key] = result.get(key, 0) + int(count)
    return dict(sorted(result.items()))


@dataclass(frozen=True)
class Targets:
    satisfaction_rate: Decimal
    churn_rate: Decimal
    churn_reduction: Decimal
    new_vips: int
    sla_rate: Decimal
    callback_rate: Decimal
    baseline_churn_rate: Decimal
    average_annual_revenue: Decimal


@dataclass(frozen=True)
class PlanFigures:
    """The plan's own arithmetic: what the programme expects if every target is met."""

    year: int
    budget_total: Decimal
    new_vips: int
    new_vip_revenue: Decimal
    churn_losses_avoided: Decimal
    expected_return: Decimal
    roi: Decimal | None


@dataclass(frozen=True)
class BudgetLine:
    line: str
    planned: Decimal
    actual: Decimal

    @property
    def label(self) -> str:
        return BudgetLineKind(self.line).label

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.actual

    @property
    def over(self) -> bool:
        return self.actual > self.planned


@dataclass(frozen=True)
class YearReport:
    """Every figure of a year as of a day (``services.year_report``)."""

    year: int
    as_of: date
    months: list[MonthFigures]
    vips_on_1_january: int
    vip_count: int
    churn_rate: Decimal | None
    previous_churn_rate: Decimal | None
    churn_reduction: Decimal | None
    budget: list[BudgetLine]
    churn_losses_avoided: Decimal
    expected_return: Decimal
    roi: Decimal | None
    targets: Targets
    plan: PlanFigures

    @property
    def baseline_used(self) -> bool:
        """No churn for the year before: the administrator's baseline stands in."""
        return self.previous_churn_rate is None

    def _total(self, name: str) -> int:
        return total(self.months, name)

    @property
    def satisfaction_good(self) -> int:
        return self._total("satisfaction_good")

    @property
    def satisfaction_total(self) -> int:
        return self._total("satisfaction_total")

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfaction_good, self.satisfaction_total)

    @property
    def churned(self) -> int:
        return self._total("churned")

    @property
    def new_vips(self) -> int:
        return self._total("new_vips")

    @property
    def sla_met(self) -> int:
        return self._total("sla_met")

    @property
    def sla_total(self) -> int:
        return self._total("sla_total")

    @property
    def sla_rate(self) -> Decimal | None:
        return rate(self.sla_met, self.sla_total)

    @property
    def callbacks_completed(self) -> int:
        return self._total("callbacks_completed")

    @property
    def callbacks_total(self) -> int:
        return self._total("callbacks_total")

    @property
    def callback_rate(self) -> Decimal | None:
        return rate(self.callbacks_completed, self.callbacks_total)

    @property
    def callback_needs(self) -> int:
        return self._total("callback_needs")

    @property
    def needs_by_category(self) -> dict[str, int]:
        return merged(self.months, "by_category")

    @property
    def needs_by_channel(self) -> dict[str, int]:
        return merged(self.months, "by_channel")

    @property
    def budget_total(self) -> Decimal:
        return sum((b.planned for b in self.budget), Decimal("0.00"))

    @property
    def actual_spend(self) -> Decimal:
        return sum((b.actual for b in self.budget), Decimal("0.00"))

    def as_json(self) -> dict[str, Any]:
        """The snapshot's JSON: every field and derived figure, months with their rates."""
        derived = {
            name: getattr(self, name)
            for name in (
                "baseline_used",
                "satisfaction_good",
                "satisfaction_total",
                "satisfaction_rate",
                "churned",
                "new_vips",
                "sla_met",
                "sla_total",
                "sla_rate",
                "callbacks_completed",
                "callbacks_total",
                "callback_rate",
                "callback_needs",
                "needs_by_category",
                "needs_by_channel",
                "budget_total",
                "actual_spend",
            )
        }
        data = asdict(self) | derived | {"months": [m.as_json() for m in self.months]}
        return jsonable(data)


@dataclass(frozen=True)
class RmReport:
    """An RM's own figures (``services.rm_report``)."""

    year: int
    as_of: date
    months: list[MonthFigures]
    vip_count: int
    tickets: int
    targets: Targets

    @property
    def satisfaction_total(self) -> int:
        return total(self.months, "satisfaction_total")

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(total(self.months, "satisfaction_good"), self.satisfaction_total)

    @property
    def callbacks_completed(self) -> int:
        return total(self.months, "callbacks_completed")

    @property
    def callbacks_total(self) -> int:
        return total(self.months, "callbacks_total")

    @property
    def callback_rate(self) -> Decimal | None:
        return rate(self.callbacks_completed, self.callbacks_total)

    @property
    def needs_by_category(self) -> dict[str, int]:
        return merged(self.months, "by_category")


@dataclass(frozen=True)
class BreakdownRow:
    """One branch's or RM's figures of a year (``services.breakdown``)."""

    label: str
    vip_count: int
    new_vips: int
    churned: int
    satisfaction_rate: Decimal | None
    satisfaction_total: int
    callback_rate: Decimal | None
    sla_rate: Decimal | None
    tickets: int
