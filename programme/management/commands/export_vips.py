import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programme.services import vips_export


class Command(BaseCommand):
    help = "CSV of every VIP and VIP at risk (SPEC section 9)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=None, help="file to write (default: standard output)"
        )

    def handle(self, *args, output=None, **options):
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = vips_export(out=out, actor=None)
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
                ) from exc
            self.stderr.write(
                _("%(n)d VIP clients written to %(file)s") % {"n": count, "file": output}
            )
        else:
            vips_export(out=self.stdout if self.stdout else sys.stdout, actor=None)
