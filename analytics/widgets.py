from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics import dashboard
from analytics.services import year_report
from core.registry import register_home_widget
from core.roles import SERVICE_WIDE_ROLES


def _kpi_tiles(request):
    """The supervisor's morning question: are we on target? Closed months come from the nightly
    snapshot, the current month live (see analytics.services)."""
    today = timezone.localdate()
    report = year_report(year=today.year, today=today)
    month = dashboard.selected_month(report, None)
    return {
        "title": _("Programme KPIs"),
        "year": today.year,
        "tiles": dashboard.tiles(report, month, today=today),
    }


def register() -> None:
    register_home_widget(
        key="analytics.kpis",
        order=10,
        roles=SERVICE_WIDE_ROLES,
        template="analytics/widgets/kpis.html",
        context=_kpi_tiles,
    )
