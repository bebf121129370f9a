from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clients.models import VipStatus
from programme.services import vip_programme_nightly


class Command(BaseCommand):
    help = (
        "Apply the VIP rule (SPEC section 3) for a day, assign RMs to new VIPs and create their "
        "call-backs; the nightly job runs the same code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, as_of=None, **options):
        day = None
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(
                    _("Bad date %(value)s: use YYYY-MM-DD.") % {"value": as_of}, returncode=1
                ) from exc
        cycle = vip_programme_nightly(as_of=day)
        result = cycle.reclassification
        self.stdout.write(
            _("Reclassified for %(day)s (policy %(policy)s).")
            % {"day": result.as_of.isoformat(), "policy": result.policy_version}
        )
        for status in VipStatus:
            self.stdout.write(f"  {status.value:<12} {result.counts.get(status.value, 0)}")
        self.stdout.write(_("Changes: %(n)d") % {"n": result.changes})
        for (old, new), n in sorted(result.transitions.items()):
            self.stdout.write(f"  {old} → {new}: {n}")
        self.stdout.write(
            _("RMs assigned: %(assigned)d, released: %(ended)d, still unassigned: %(unassigned)d")
            % {
                "assigned": cycle.assignments.get("assigned", 0),
                "ended": cycle.assignments.get("ended", 0),
                "unassigned": cycle.assignments.get("unassigned", 0),
            }
        )
        self.stdout.write(_("Call-backs created: %(n)d") % {"n": cycle.callbacks_created})
        self.stdout.write(
            _("Seconds: rule %(rule).2f, RMs %(assignments).2f, call-backs %(callbacks).2f")
            % cycle.seconds
        )
