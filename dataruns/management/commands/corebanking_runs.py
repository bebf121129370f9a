from django.core.management.base import BaseCommand
from django.utils import timezone
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
                        "status": night.status_label,
                        "trigger": night.get_trigger_display(),
                        "who": f", {night.requested_by} «{night.reason}»"
                        if night.requested_by
                        else "",
                        # A stopped run: what it had written (``selectors.days``).
                        "n": night.changes_written if night.stopped else night.changes,
                    }
                    + (f" {night.error_text}" if night.error_text else "")
                )
                if night.stopped:
                    self._stopped(night)

    def _stopped(self, night) -> None:
        """What the page says of a stopped run, and where to run it again."""
        self.stdout.write(
            "    "
            + _(
                "The background worker running it stopped; it last showed life at %(at)s. "
                "Steps finished: %(steps)s. Run it again on the data runs page."
            )
            % {
                "at": f"{timezone.localtime(night.last_sign_of_life):%Y-%m-%d %H:%M}"
                if night.last_sign_of_life
                else "—",
                "steps": night.steps_done_text,
            }
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
            + (f" {run.error_text}" if run.error_text else "")
        )
        for f in run.files.all():
            verdict = _("accepted") if f.ok else _("refused")
            self.stdout.write(
                f"    {f.name}: {f.rows}/{f.rows_expected} {f.seconds:.1f}s {verdict}"
            )
            for line in f.error_lines:
                self.stdout.write(f"      {line}")
