from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from dataruns.demo import demo_set_write
from dataruns.inbox import inbox_dir


class Command(BaseCommand):
    help = (
        "Drop a demo core-banking set (clients, balances, trades, manifest) into the inbox for "
        "tomorrow's business date, as the core bank would; the 01:00 job takes it in."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", default=None, help="YYYY-MM-DD (default: tomorrow)"
        )

    def handle(self, *args, day=None, **options):
        try:
            business_date = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(
                _("Bad date %(value)s: use YYYY-MM-DD.") % {"value": day}, returncode=1
            ) from exc
        day = business_date or timezone.localdate() + timedelta(days=1)
        if demo_set_write(inbox=inbox_dir(), day=day):
            self.stdout.write(
                _("Demo set for %(day)s dropped into %(inbox)s.")
                % {"day": day.isoformat(), "inbox": inbox_dir()}
            )
        else:
            self.stdout.write(
                _("The demo set for %(day)s is there already.") % {"day": day.isoformat()}
            )
