from django.core.management.base import BaseCommand

from feedback.services import mailbox_poll


class Command(BaseCommand):
    help = "Turn new feedback email into tickets and thread replies (what beat runs)."

    def handle(self, *args, **options):
        result = mailbox_poll()
        self.stdout.write(", ".join(f"{name} {count}" for name, count in result.items()))
        if result["failed"]:
            self.stderr.write(f"{result['failed']} messages failed; they are retried next run.")
