"""SPEC section 9: ``kpi_report --year YYYY [--json]``.

JSON numbers: counts are JSON integers; rates, money and the ROI are JSON strings holding the
exact Decimal ("0.9231", "720000.00", "6.55") so no precision is lost to floats; a figure with
nothing to measure is null."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.results import jsonable
from analytics.services import year_report

KEYS = (
    "satisfaction_rate",
    "churn_rate",
    "churn_reduction",
    "new_vips",
    "budget_total",
    "actual_spend",
    "expected_return",
    "roi",
)


def report_object(year: int) -> dict:
    report = year_report(year=year)
    targets = {
        **asdict(report.targets),
        "expected_return": report.plan.expected_return,
        "roi": report.plan.roi,
    }
    result: dict = {"year": year}
    for key in KEYS:
        result[key] = getattr(report, key)
        if key in targets:
            result[f"{key}_target"] = targets[key]
    return jsonable(result)


class Command(BaseCommand):
    help = "Print the programme's KPIs, budget and ROI for a year (SPEC section 7)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="YYYY")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        raw = str(options["year"]).strip()
        if (
            not (raw.isdigit() and len(raw) == 4)
            or not 2000 <= int(raw) <= timezone.localdate().year
        ):
            raise CommandError(
                _("Year must be a four-digit year from 2000 to this year, not %(year)r.")
                % {"year": raw}
            )
        data = report_object(int(raw))
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        width = max(len(k) for k in data)
        for key, value in data.items():
            self.stdout.write(f"{key.ljust(width)}  {'—' if value is None else value}")
