from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dataruns import selectors


class Command(BaseCommand):
    help = (
        "The data runs page on the command line: per business date each file with rows, "
        "seconds, outcome and errors, and each reclassification with who forced it and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="business dates shown")

    def handle(self, *args, days=14, **options):
        rows = selectors.days(limit=max(days, 1))
        if not rows:
            self.stdout.write(_("No data run yet."))
        for day in rows:
            self.stdout.write(day.business_date.isoformat())
            for run in day.intakes:
                self._intake(run)
            for night in day.nights:
                self.stdout.write(
                    "  "
                    + _("reclassification: %(status)s (%(trigger)s%(who)s), changes: %(n)d")
                    % {
                        "status": night.get_status_display(),
                        "trigger": night.get_trigger_display(),
                        "who": f", {night.requested_by} «{night.reason}»"
                        if night.requested_by
                        else "",
                        "n": night.changes,
                    }
                    + (f" {night.error}" if night.error else "")
                )

    def _intake(self, run) -> None:
        self.stdout.write(
            "  "
            + _("set: %(outcome)s at %(at)s, %(seconds).1f s")
            % {
                "outcome": run.get_outcome_display(),
                "at": f"{run.started_at:%Y-%m-%d %H:%M}",
                "seconds": run.seconds,
            }
            + (f" {run.error}" if run.error else "")
        )
        for f in run.files.all():
            verdict = _("accepted") if f.ok else _("refused")
            self.stdout.write(
                f"    {f.name}: {f.rows}/{f.rows_expected} {f.seconds:.1f}s {verdict}"
            )
            for line in f.error_lines:
                self.stdout.write(f"      {line}")
