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
                self.stdout.write(
                    f"  {_('set')}: {run.get_outcome_display()} "
                    f"{run.started_at:%Y-%m-%d %H:%M} {run.seconds:.1f}s {run.error}".rstrip()
                )
                for f in run.files.all():
                    self.stdout.write(
                        f"    {f.name}: {f.rows}/{f.rows_expected} {f.seconds:.1f}s "
                        f"{_('ok') if f.ok else _('refused')}"
                    )
                    for line in f.errors.splitlines():
                        self.stdout.write(f"      {line}")
            for night in day.nights:
                who = f" {night.requested_by} «{night.reason}»" if night.requested_by else ""
                self.stdout.write(
                    f"  {_('reclassification')}: {night.get_status_display()} "
                    f"({night.get_trigger_display()}{who}) {_('changes')}: {night.changes}"
                    f" {night.error}".rstrip()
                )
