from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import dashboard, exports, facts
from analytics.forms import ExportForm, PeriodForm
from analytics.selectors import milestones_for
from analytics.services import breakdown, kpi_export_record, rm_report, year_report
from core.access import role_required
from core.exports import table_csv_response, xlsx_response
from core.lists import Sorting
from core.roles import Role
from retention.selectors import warning_figures


def _period(request, form_class=PeriodForm):
    """(form, year, month) from the query string; bad input falls back to this year with a
    message, never a 500."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("year", str(today.year))
    form = form_class(data)
    if form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data.get("month")
    messages.warning(request, _("That period is not valid; showing this year instead."))
    return form_class(initial={"year": today.year}), today.year, None


def _dashboard_data(year: int, month: int | None) -> dict:
    today = timezone.localdate()
    report = year_report(year=year, today=today)
    chosen = dashboard.selected_month(report, month)
    tiles = dashboard.tiles(report, chosen, today=today)
    category_labels = dashboard.choice_labels("feedback", "Ticket", "category")
    channel_labels = dashboard.choice_labels("feedback", "Ticket", "channel")
    categories = dashboard.needs_rows(report.needs_by_category, category_labels)
    channels = dashboard.needs_rows(report.needs_by_channel, channel_labels)
    return {
        "report": report,
        "month": chosen,
        "tiles": tiles,
        "budget": report.budget,
        "categories": categories,
        "channels": channels,
        "category_months": dashboard.needs_month_table(report, "by_category", category_labels),
        "charts": dashboard.chart_data(report, categories, channels),
    }


@role_required(Role.SUPERVISOR)
def dashboard_view(request):
    form, year, month = _period(request)
    data = _dashboard_data(year, month)
    today = timezone.localdate()
    milestones = [{"m": m, "overdue": m.is_overdue(today)} for m in milestones_for(year=year)]
    needs_groups = [
        {"key": "categories", "title": _("Feedback by category"), "rows": data["categories"]},
        {"key": "channels", "title": _("Feedback by channel"), "rows": data["channels"]},
    ]
    callback_needs = facts.callback_needs(start=date(year, 1, 1), end=data["report"].as_of)
    return render(
        request,
        "analytics/dashboard.html",
        {
            **data,
            "form": form,
            "milestones": milestones,
            "export_form": ExportForm,
            "needs_groups": needs_groups,
            "callback_needs": callback_needs,
            "early_warning": warning_figures(first=date(year, 1, 1), last=data["report"].as_of),
        },
    )


@role_required(Role.SUPERVISOR)
def export_view(request):
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    data.setdefault("format", "xlsx")
    form = ExportForm(data)
    if not form.is_valid():
        messages.error(request, _("That export is not available; choose one from the Export menu."))
        return redirect("analytics:dashboard")
    year, month = form.cleaned_data["year"], form.cleaned_data.get("month")
    fmt = form.cleaned_data["format"]
    table_key = form.cleaned_data.get("table") or "summary"
    data = _dashboard_data(year, month)
    tables = {
        "summary": lambda: exports.summary_table(data["report"], data["tiles"]),
        "months": lambda: exports.months_table(data["report"]),
        "budget": lambda: exports.budget_table(data["budget"]),
        "needs": lambda: exports.needs_table(data["categories"], data["channels"]),
        "vips": exports.vips_table,
    }
    kpi_export_record(user=request.user, year=year, month=data["month"], fmt=fmt, table=table_key)
    stem = f"vip-kpis-{year}"
    if fmt == "csv":
        return table_csv_response(tables[table_key](), filename=f"{stem}-{table_key}.csv")
    return xlsx_response((build() for build in tables.values()), filename=f"{stem}.xlsx")


@role_required(Role.RELATIONSHIP_MANAGER)
def my_figures(request):
    rm = getattr(request.user, "rm_profile", None)
    if rm is None:
        raise Http404
    form, year, month = _period(request)
    report = rm_report(rm=rm, year=year)
    chart = {
        "labels": dashboard.month_labels(year, report.months),
        "satisfaction": [dashboard.percent_points(r.satisfaction_rate) for r in report.months],
        "callbacks": [dashboard.percent_points(r.callback_rate) for r in report.months],
    }
    return render(
        request,
        "analytics/my_figures.html",
        {"form": form, "report": report, "rm": rm, "chart": chart},
    )


BREAKDOWN_SORTING = Sorting(
    {
        key: key
        for key in (
            "label",
            "vip_count",
            "new_vips",
            "churned",
            "satisfaction_rate",
            "callback_rate",
            "sla_rate",
            "tickets",
        )
    },
    default="label",
)


@role_required(Role.SUPERVISOR)
def breakdown_view(request):
    """The year's figures per branch or per RM, for supervisors."""
    form, year, _month = _period(request)
    by = "rm" if request.GET.get("by") == "rm" else "branch"
    rows, sort = BREAKDOWN_SORTING.sort_rows(breakdown(year=year, by=by), request.GET.get("sort"))
    chart = {
        "labels": [r.label for r in rows],
        "vip_count": [r.vip_count for r in rows],
        "new_vips": [r.new_vips for r in rows],
    }
    return render(
        request,
        "analytics/breakdown.html",
        {"form": form, "year": year, "by": by, "rows": rows, "sort": sort, "chart": chart},
    )
