import json

from django.core.management.base import BaseCommand

from programme.services import inbox_night


class Command(BaseCommand):
    help = (
        "Take the complete core-banking sets from the inbox (COREBANKING_INBOX) in business-date "
        "order and reclassify for the newest; the 01:00-06:00 job runs the same code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check-late",
            action="store_true",
            help="also alert when the previous business day's set is missing (the 06:00 run)",
        )

    def handle(self, *args, check_late=False, **options):
        self.stdout.write(json.dumps(inbox_night(check_late=check_late), ensure_ascii=False))
