from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clients.models import VipStatus
from dataruns.models import NightTrigger
from dataruns.selectors import due_run_date, run_date_refusal
from dataruns.services import RunRefused
from programme.services import night_run, reclassification_preview


class Command(BaseCommand):
    help = (
        "Apply the VIP rule (SPEC section 3) for a business date, assign RMs to new VIPs and "
        "create their call-backs; the nightly job runs the same code. Refuses a date in the "
        "future, after the newest imported business date or before the last run, unless "
        "--dry-run, which writes nothing and prints what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help="YYYY-MM-DD (default: the newest imported business date, or today)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="write nothing; print what would change"
        )

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = None
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(
                    _("Bad date %(value)s: use YYYY-MM-DD.") % {"value": as_of}, returncode=1
                ) from exc
        if dry_run:
            self._preview(day or due_run_date())
            return
        try:
            outcome = night_run(trigger=NightTrigger.COMMAND, day=day)
        except RunRefused as refused:
            raise CommandError(
                _("Refused: %(reason)s Use --dry-run to see what would change.")
                % {"reason": refused},
                returncode=1,
            ) from None
        if outcome.cycle is None:
            self.stdout.write(outcome.message)
            return
        self._report(outcome.cycle)

    def _preview(self, day: date) -> None:
        refusal = run_date_refusal(day=day)
        if refusal:
            self.stdout.write(_("A real run would be refused: %(reason)s") % {"reason": refusal})
        preview = reclassification_preview(day=day)
        self.stdout.write(_("Dry run for %(day)s: nothing was written.") % {"day": day.isoformat()})
        self.stdout.write(_("Changes: %(n)d") % {"n": sum(preview.transitions.values())})
        for (old, new), n in sorted(preview.transitions.items()):
            self.stdout.write(f"  {old} → {new}: {n}")
        for client_no, old, new in preview.changes:
            self.stdout.write(f"  {client_no}: {old} → {new}")

    def _report(self, cycle) -> None:
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
