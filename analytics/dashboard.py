"""What the dashboard, the home widget, the exports and an RM's own page show, built from
``services.year_report``: the KPI tiles against their targets and the charts' data.

Tiles show the year to date up to the chosen month. Their status:
- rates (satisfaction, SLA met, call-back completion): met at or above target, at risk within
  5 points below it, missed further below;
- churn reduction: met at or above target, at risk while churn is no worse than the comparison
  year (reduction >= 0), missed when churn grew;
- new VIPs (a count that grows through the year): met at the target, at risk below it while the
  year runs, missed below it once the year is over.
The trend arrow compares the chosen month with the month before (for churn, fewer lost VIPs is
the good direction)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from analytics import kpis
from analytics.models import BudgetLineKind

AT_RISK_MARGIN = Decimal("0.05")
MET, AT_RISK, MISSED, NO_DATA = "met", "at_risk", "missed", "no_data"
STATUS_LABELS = {
    MET: _("Met"),
    AT_RISK: _("At risk"),
    MISSED: _("Missed"),
    NO_DATA: _("No data yet"),
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


def _rate_status(value: Decimal | None, target: Decimal) -> str:
    if value is None:
        return NO_DATA
    if value >= target:
        return MET
    return AT_RISK if value >= target - AT_RISK_MARGIN else MISSED


def _trend(current, previous, *, lower_is_better: bool = False) -> tuple[str, bool | None]:
    if current is None or previous is None:
        return "none", None
    if current == previous:
        return "flat", None
    up = current > previous
    return ("up" if up else "down"), (up != lower_is_better)


def _upto(rows: list[dict], month: int) -> list[dict]:
    return [r for r in rows if r["month"] <= month]


def _row(rows: list[dict], month: int) -> dict | None:
    return next((r for r in rows if r["month"] == month), None)


def _sum(rows: list[dict], key: str) -> int:
    return sum(int(r[key]) for r in rows)


def selected_month(report: dict, month: int | None) -> int:
    months = [r["month"] for r in report["months"]]
    if not months:
        return month or 1
    if month is None or month > months[-1]:
        return months[-1]
    return month


def tiles(report: dict, month: int, *, today: date) -> list[Tile]:
    rows = _upto(report["months"], month)
    this, before = _row(rows, month), _row(rows, month - 1)
    targets = report["targets"]

    def rate_tile(key, label, good, total, month_key):
        value = kpis.rate(_sum(rows, good), _sum(rows, total))
        trend = _trend(this and this[month_key], before and before[month_key])
        return Tile(
            key, label, value, targets[key], True, _rate_status(value, targets[key]), *trend
        )

    churned = _sum(rows, "churned")
    churn = kpis.rate(churned, report["vips_on_1_january"])
    reduction = kpis.churn_reduction(
        churn, report["previous_churn_rate"], targets["baseline_churn_rate"]
    )
    if reduction is None:
        reduction_status = NO_DATA
    elif reduction >= targets["churn_reduction"]:
        reduction_status = MET
    else:
        reduction_status = AT_RISK if reduction >= 0 else MISSED
    new = _sum(rows, "new_vips")
    year_over = report["year"] < today.year
    new_status = MET if new >= targets["new_vips"] else (MISSED if year_over else AT_RISK)
    return [
        rate_tile(
            "satisfaction_rate",
            _("Satisfaction rate"),
            "satisfaction_good",
            "satisfaction_total",
            "satisfaction_rate",
        ),
        Tile(
            "churn_reduction",
            _("Churn reduction"),
            reduction,
            targets["churn_reduction"],
            True,
            reduction_status,
            *_trend(this and this["churned"], before and before["churned"], lower_is_better=True),
            note=_("vs. baseline churn") if report["baseline_used"] else _("vs. last year"),
        ),
        Tile(
            "new_vips",
            _("New VIPs"),
            new,
            targets["new_vips"],
            False,
            new_status,
            *_trend(this and this["new_vips"], before and before["new_vips"]),
        ),
        rate_tile("sla_rate", _("SLA met rate"), "sla_met", "sla_total", "sla_rate"),
        rate_tile(
            "callback_rate",
            _("Call-back completion"),
            "callbacks_completed",
            "callbacks_total",
            "callback_rate",
        ),
    ]


def percent_points(value: Decimal | None) -> float | None:
    """Chart points only (the tables beside the charts show the exact figures)."""
    return None if value is None else float(value * 100)


def choice_labels(app_label: str, model_name: str, field: str) -> dict[str, str]:
    model = apps.get_model(app_label, model_name)
    return {str(k): str(v) for k, v in (model._meta.get_field(field).choices or [])}


def budget_rows(report: dict) -> list[dict]:
    labels = dict(BudgetLineKind.choices)
    rows = []
    for row in report["budget"]:
        rows.append(
            {
                **row,
                "label": labels[row["line"]],
                "remaining": row["planned"] - row["actual"],
                "over": row["actual"] > row["planned"],
            }
        )
    return rows


def needs_rows(counts: dict[str, int], labels: dict[str, str]) -> list[dict]:
    return [{"key": k, "label": labels.get(k, k), "count": v} for k, v in counts.items()]


def needs_month_table(report: dict, key: str, labels: dict[str, str]) -> list[dict]:
    """[{label, counts: [per month]}] for the needs trend table."""
    names = sorted({name for r in report["months"] for name in r[key]})
    return [
        {
            "label": labels.get(name, name),
            "counts": [int(r[key].get(name, 0)) for r in report["months"]],
        }
        for name in names
    ]


def chart_data(report: dict, budget: list[dict], categories: list[dict], channels: list[dict]):
    rows = report["months"]
    return {
        "labels": [f"{report['year']}-{r['month']:02d}" for r in rows],
        "satisfaction": [percent_points(r["satisfaction_rate"]) for r in rows],
        "vip_count": [r["vip_count"] for r in rows],
        "new_vips": [r["new_vips"] for r in rows],
        "churned": [r["churned"] for r in rows],
        "sla": [percent_points(r["sla_rate"]) for r in rows],
        "callbacks": [percent_points(r["callback_rate"]) for r in rows],
        "budget": {
            "labels": [str(b["label"]) for b in budget],
            "planned": [float(b["planned"]) for b in budget],
            "actual": [float(b["actual"]) for b in budget],
        },
        "categories": {
            "labels": [c["label"] for c in categories],
            "values": [c["count"] for c in categories],
        },
        "channels": {
            "labels": [c["label"] for c in channels],
            "values": [c["count"] for c in channels],
        },
    }
