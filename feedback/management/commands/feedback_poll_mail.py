from django.core.management.base import BaseCommand

from feedback.mail.intake import mailbox_poll


class Command(BaseCommand):
    help = "Turn new feedback email into tickets and thread replies (what beat runs)."

    def handle(self, *args, **options):
        result = mailbox_poll()
        self.stdout.write(", ".join(f"{name} {count}" for name, count in result.items()))
        if result["quarantined"]:
            self.stderr.write(
                f"{result['quarantined']} messages quarantined: see /feedback/mail/held/."
            )
        if result["failed"]:
            self.stderr.write(f"{result['failed']} messages failed (database); retried next run.")
