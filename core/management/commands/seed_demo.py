import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.registry import demo_seeders


class Command(BaseCommand):
    help = "Load a realistic demo bank. Safe to run again: it changes nothing the second time."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # Demo users share one published password: never in a production database.
            raise CommandError(
                _("seed_demo refuses to run with DJANGO_ENV=production: it creates demo users.")
            )
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        for seeder in demo_seeders():
            self.stdout.write(_("Seeding %(name)s…") % {"name": seeder.key})
            seeder.seed(rng=rng, today=today, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready. Demo logins:")))
        for username, role, *_rest in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {DEMO_PASSWORD}   ({role.label})")
