"""The dashboard's tables for export (SPEC section 9): one ``core.exports.Table`` each, written by
``core.exports`` as Excel (one sheet per table, money as ¥#,##0.00, real dates and percentages) or
CSV (one table per file, exact Decimal text)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from analytics import dashboard
from analytics.results import BudgetLine, YearReport
from clients.models import VIP_STATUSES, Client
from core.exports import Column, Table


def summary_table(report: YearReport, tile_list: list[dashboard.Tile]) -> Table:
    rows = [
        [
            str(t.label),
            t.value,
            t.target,
            str(t.status_label),
        ]
        for t in tile_list
    ]
    rows += [
        [str(_("Budget")), report.budget_total, None, ""],
        [str(_("Actual spend")), report.actual_spend, report.budget_total, ""],
        [
            str(_("Expected return")),
            report.expected_return,
            report.plan.expected_return,
            "",
        ],
        [str(_("Return on investment")), report.roi, report.plan.roi, ""],
    ]
    kinds = ["rate" if t.is_rate else "int" for t in tile_list] + ["money"] * 3 + ["multiple"]
    return Table(
        "summary",
        _("KPIs against targets"),
        [
            Column(_("Figure")),
            Column(_("Value"), "mixed"),
            Column(_("Target"), "mixed"),
            Column(_("Status")),
        ],
        rows,
        kinds,
    )


def months_table(report: YearReport) -> Table:
    return Table(
        "months",
        _("Month by month"),
        [
            Column(_("Month")),
            Column(_("Satisfaction rate"), "rate"),
            Column(_("Responses"), "int"),
            Column(_("VIP clients"), "int"),
            Column(_("New VIPs"), "int"),
            Column(_("VIPs lost"), "int"),
            Column(_("SLA met rate"), "rate"),
            Column(_("Call-back completion"), "rate"),
        ],
        [
            [
                f"{report.year}-{r.month:02d}",
                r.satisfaction_rate,
                r.satisfaction_total,
                r.vip_count,
                r.new_vips,
                r.churned,
                r.sla_rate,
                r.callback_rate,
            ]
            for r in report.months
        ],
    )


def budget_table(budget: list[BudgetLine]) -> Table:
    return Table(
        "budget",
        _("Budget"),
        [
            Column(_("Budget line")),
            Column(_("Planned"), "money"),
            Column(_("Actual"), "money"),
            Column(_("Remaining"), "money"),
        ],
        [[str(b.label), b.planned, b.actual, b.remaining] for b in budget]
        + [
            [
                str(_("Total")),
                sum((b.planned for b in budget), Decimal("0.00")),
                sum((b.actual for b in budget), Decimal("0.00")),
                sum((b.remaining for b in budget), Decimal("0.00")),
            ]
        ],
    )


def needs_table(categories: list[dashboard.Need], channels: list[dashboard.Need]) -> Table:
    rows = [[str(_("Category")), c.label, c.count] for c in categories]
    rows += [[str(_("Channel")), c.label, c.count] for c in channels]
    return Table(
        "needs",
        _("Needs analysis"),
        [
            Column(pgettext_lazy("needs analysis", "By")),
            Column(pgettext_lazy("needs analysis", "Value")),
            Column(_("Tickets"), "int"),
        ],
        rows,
    )


def vips_table() -> Table:
    clients = (
        Client.objects.filter(status__in=VIP_STATUSES)
        .select_related("branch")
        .order_by("client_no")
        .values_list("client_no", "name", "branch__name", "status", "vip_since")
    )
    labels = dict(Client._meta.get_field("status").choices)
    return Table(
        "vips",
        _("VIP clients"),
        [
            Column(_("Client number")),
            Column(_("Name")),
            Column(_("Branch")),
            Column(_("VIP status")),
            Column(_("VIP since"), "date"),
        ],
        [
            [no, name, branch, str(labels[status]), since]
            for no, name, branch, status, since in clients
        ],
    )
