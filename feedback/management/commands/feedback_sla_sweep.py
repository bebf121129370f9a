from django.core.management.base import BaseCommand

from feedback.services.escalation import sla_sweep


class Command(BaseCommand):
    help = "Warn at 75% and escalate at 100% of the feedback response time (what beat runs)."

    def handle(self, *args, **options):
        result = sla_sweep()
        self.stdout.write(f"warned {result['warned']}, breached {result['breached']}")
