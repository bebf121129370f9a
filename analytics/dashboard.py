"""What the dashboard, the home widget, the exports and an RM's own page show, built from
``services.year_report``: the KPI tiles against their targets and the charts' data.

Tiles show the year to date up to the chosen month; whether a figure is met, at risk or missed is
decided by ``kpis.kpi_status`` (the one KPI rule). The trend arrow compares the chosen month with
the month before (for churn, fewer lost VIPs is the good direction)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from analytics import kpis
from analytics.results import MonthFigures, YearReport, rate, total

STATUS_LABELS = {
    kpis.MET: _("Met"),
    kpis.AT_RISK: _("At risk"),
    kpis.MISSED: _("Missed"),
    kpis.NO_DATA: _("No data yet"),
}
# Bootstrap colour of a tile's border and badge by status.
STATUS_CSS = {
    kpis.MET: "success",
    kpis.AT_RISK: "warning",
    kpis.MISSED: "danger",
    kpis.NO_DATA: "secondary",
}


@dataclass(frozen=True)
class Tile:
    key: str
    label: Any
    value: Any  # Decimal rate, int count, or None
    target: Any
    is_rate: bool
    status: str
    trend: str  # up / down / flat / none
    trend_good: bool | None
    note: Any = ""

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def css(self) -> str:
        return STATUS_CSS[self.status]


@dataclass(frozen=True)
class Need:
    """A count of tickets by one category or channel, with its translated label."""

    key: str
    label: str
    count: int


def _trend(current, previous, *, lower_is_better: bool = False) -> tuple[str, bool | None]:
    if current is None or previous is None:
        return "none", None
    if current == previous:
        return "flat", None
    up = current > previous
    return ("up" if up else "down"), (up != lower_is_better)


def _row(rows: list[MonthFigures], month: int) -> MonthFigures | None:
    return next((r for r in rows if r.month == month), None)


def selected_month(report: YearReport, month: int | None) -> int:
    months = [r.month for r in report.months]
    if not months:
        return month or 1
    if month is None or month > months[-1]:
        return months[-1]
    return month


def tiles(report: YearReport, month: int, *, today: date) -> list[Tile]:
    """The five KPI tiles of ``report`` for the year up to ``month``."""
    rows = [r for r in report.months if r.month <= month]
    this, before = _row(rows, month), _row(rows, month - 1)
    targets = report.targets
    year_over = report.year < today.year

    def tile(key, label, value, *, is_rate=True, trend=("none", None), note="") -> Tile:
        target = getattr(targets, key)
        status = kpis.kpi_status(key, value, target, year_over=year_over)
        return Tile(key, label, value, target, is_rate, status, *trend, note=note)

    def rate_tile(key, label, good, count):
        value = rate(total(rows, good), total(rows, count))
        return tile(
            key, label, value, trend=_trend(getattr(this, key, None), getattr(before, key, None))
        )

    churn = rate(total(rows, "churned"), report.vips_on_1_january)
    reduction = kpis.churn_reduction(churn, report.previous_churn_rate, targets.baseline_churn_rate)
    return [
        rate_tile(
            "satisfaction_rate", _("Satisfaction rate"), "satisfaction_good", "satisfaction_total"
        ),
        tile(
            "churn_reduction",
            _("Churn reduction"),
            reduction,
            trend=_trend(
                getattr(this, "churned", None),
                getattr(before, "churned", None),
                lower_is_better=True,
            ),
            note=_("vs. baseline churn") if report.baseline_used else _("vs. last year"),
        ),
        tile(
            "new_vips",
            _("New VIPs"),
            total(rows, "new_vips"),
            is_rate=False,
            trend=_trend(getattr(this, "new_vips", None), getattr(before, "new_vips", None)),
        ),
        rate_tile("sla_rate", _("SLA met rate"), "sla_met", "sla_total"),
        rate_tile(
            "callback_rate", _("Call-back completion"), "callbacks_completed", "callbacks_total"
        ),
    ]


def percent_points(value: Decimal | None) -> float | None:
    """Chart points only (the tables beside the charts show the exact figures)."""
    return None if value is None else float(value * 100)


def choice_labels(app_label: str, model_name: str, field: str) -> dict[str, str]:
    model = apps.get_model(app_label, model_name)
    return {str(k): str(v) for k, v in (model._meta.get_field(field).choices or [])}


def needs_rows(counts: dict[str, int], labels: dict[str, str]) -> list[Need]:
    return [Need(k, labels.get(k, k), v) for k, v in counts.items()]


def needs_month_table(report: YearReport, key: str, labels: dict[str, str]) -> list[dict]:
    """[{label, counts: [per month]}] for the needs trend table (``key``: by_category or
    by_channel)."""
    names = sorted({name for r in report.months for name in getattr(r, key)})
    return [
        {
            "label": labels.get(name, name),
            "counts": [int(getattr(r, key).get(name, 0)) for r in report.months],
        }
        for name in names
    ]


def month_labels(year: int, rows: list[MonthFigures]) -> list[str]:
    return [f"{year}-{r.month:02d}" for r in rows]


def chart_data(report: YearReport, categories: list[Need], channels: list[Need]) -> dict[str, Any]:
    rows = report.months
    return {
        "labels": month_labels(report.year, rows),
        "satisfaction": [percent_points(r.satisfaction_rate) for r in rows],
        "vip_count": [r.vip_count for r in rows],
        "new_vips": [r.new_vips for r in rows],
        "churned": [r.churned for r in rows],
        "sla": [percent_points(r.sla_rate) for r in rows],
        "callbacks": [percent_points(r.callback_rate) for r in rows],
        "budget": {
            "labels": [str(b.label) for b in report.budget],
            "planned": [float(b.planned) for b in report.budget],
            "actual": [float(b.actual) for b in report.budget],
        },
        "categories": {
            "labels": [c.label for c in categories],
            "values": [c.count for c in categories],
        },
        "channels": {
            "labels": [c.label for c in channels],
            "values": [c.count for c in channels],
        },
    }
