from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.corebanking.importer import corebanking_import
from clients.corebanking.parse import KINDS
from clients.corebanking.report import rejection_summary


class Command(BaseCommand):
    help = "Import a core-banking CSV file (clients, balances or trades), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument(
            "--encoding",
            default=None,
            help="default: try utf-8 (with or without BOM), then gb18030",
        )

    def handle(self, *args, kind, file, encoding, **options):
        def progress(rows: int, seconds: float) -> None:
            rate = rows / seconds if seconds > 0 else 0
            self.stderr.write(
                _("%(rows)s rows read, %(rate)s rows/s")
                % {"rows": f"{rows:,}", "rate": f"{rate:,.0f}"}
            )

        try:
            handle = open(file, "rb")  # noqa: SIM115 - closed below, after the import
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        with handle:
            report = corebanking_import(
                kind=kind, file=handle, encoding=encoding, progress=progress
            )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(
                    _("line %(line)d, column %(column)s: %(reason)s")
                    % {"line": error.line, "column": error.column or "-", "reason": error.reason}
                )
            if report.errors_not_listed:
                more = report.errors_not_listed
                self.stderr.write(
                    ngettext("… and %(n)d more error", "… and %(n)d more errors", more)
                    % {"n": more}
                )
            summary = rejection_summary(
                label=str(file),
                rows=report.rows,
                errors=report.error_count,
                bad_rows=report.bad_rows,
            )
            raise CommandError(summary, returncode=1)
        self.stdout.write(
            _(
                "%(kind)s: %(rows)d rows (%(encoding)s): %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % {
                "kind": kind,
                "rows": report.rows,
                "encoding": report.encoding,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
