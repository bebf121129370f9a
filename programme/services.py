"""The VIP programme across the apps: the 02:00 job (rule, RM assignment, call-backs) and the VIP
export with each VIP's RM.

They sit above the apps they combine (clients, managers, servicedesk), so those apps never import
a later one: the rule stays in ``clients``, the assignment in ``managers``, the call-backs in
``servicedesk``, and only this module knows the order in which they run."""

import time
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from clients.models import VIP_STATUSES, Client, Trade, VipPolicy
from clients.qualification.reclassify import ReclassificationResult, vip_statuses_reclassify
from clients.qualification.window import Window
from core.exports import csv_write
from core.models import User
from core.services import audit_record
from managers.models import Assignment
from managers.services import assignments_sync
from servicedesk.services import callbacks_generate

EXPORT_COLUMNS = [
    "client_no",
    "kind",
    "status",
    "vip_since",
    "assets",
    "trades_3m",
    "relationship_since",
    "rm_employee_no",
]


def vips_export(*, out: IO[str], actor: User | None, as_of: date | None = None) -> int:
    """CSV of every VIP and VIP at risk (SPEC section 9), one query streamed in chunks."""
    day = as_of or timezone.localdate()
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    trades = (
        Trade.objects.filter(
            client=OuterRef("pk"),
            executed_at__gte=window.starts_at,
            executed_at__lt=window.ends_before,
        )
        .order_by()
        .values("client")
        .annotate(n=Count("id"))
        .values("n")
    )
    rm_no = Assignment.objects.filter(client=OuterRef("pk"), ended_at__isnull=True).values(
        "rm__employee_no"
    )[:1]
    rows = (
        Client.objects.filter(status__in=VIP_STATUSES)
        .annotate(trades_3m=Subquery(trades), rm_employee_no=Subquery(rm_no))
        .order_by("client_no")
        .values_list(
            "client_no",
            "kind",
            "status",
            "vip_since",
            "total_assets",
            "trades_3m",
            "relationship_since",
            "rm_employee_no",
        )
    )
    count = csv_write(
        out,
        EXPORT_COLUMNS,
        (
            (client_no, kind, status, vip_since, assets, n or 0, since, rm)
            for client_no, kind, status, vip_since, assets, n, since, rm in rows.iterator(
                chunk_size=2000
            )
        ),
    )
    # The log entry needs an object: the policy the export was made under (commands have no user).
    audit_record(
        actor=actor,
        event="clients.export_vips",
        instance=window.policy if window.policy.pk else actor,
        detail={"rows": count, "as_of": day.isoformat()},
    )
    return count


@dataclass
class NightlyCycleResult:
    reclassification: ReclassificationResult
    assignments: dict
    callbacks_created: int
    # Wall-clock seconds of each step, for the operations log and the benchmarks.
    seconds: dict[str, float] = field(default_factory=dict)


def vip_programme_nightly(*, as_of: date | None = None) -> NightlyCycleResult:
    """The 02:00 job (SPEC section 8): apply the rule, give every new VIP an RM (and release the
    downgraded), then create the month's call-back for new VIPs the same day (SPEC section 5).
    Each step is idempotent and works from the database's state alone, so a re-run or a run after
    an outage only does what is still missing; the steps keep their own transactions so one long
    run does not hold every lock at once."""
    started = time.monotonic()
    result = vip_statuses_reclassify(as_of=as_of)
    ruled = time.monotonic()
    assignments = assignments_sync(as_of=result.as_of)
    assigned = time.monotonic()
    created = callbacks_generate(on=result.as_of)
    return NightlyCycleResult(
        reclassification=result,
        assignments=assignments,
        callbacks_created=created,
        seconds={
            "rule": ruled - started,
            "assignments": assigned - ruled,
            "callbacks": time.monotonic() - assigned,
        },
    )
