"""Reads of relationship managers, assignments, training and the rota."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from clients.models import VIP_STATUSES, Client
from core.dates import months_before
from core.models import User
from core.roles import Role
from managers.models import (
    Assignment,
    RelationshipManager,
    RmSelectionPolicy,
    RmStatus,
    Shift,
    TrainingCourse,
    TrainingRecord,
    TrainingResult,
)


def training_lapsed_q(*, as_of: date) -> Q:
    """RMs (annotated with ``last_passed_on``, as ``rms_with_load`` gives them) without a passed
    training in the 12 months up to ``as_of``: never trained or lapsed."""
    since = training_valid_since(as_of=as_of)
    return Q(last_passed_on__isnull=True) | Q(last_passed_on__lt=since)


def assigned_to(user: User, client_ref: str = "pk") -> Exists:
    """``EXISTS`` an open assignment of the client at ``client_ref`` to ``user`` as its RM (for
    ``clients.selectors.assigned_to``, through the ``RmDirectory``)."""
    return Exists(
        Assignment.objects.filter(
            client_id=OuterRef(client_ref), ended_at__isnull=True, rm__user_id=user.pk
        )
    )


def rm_on_call_now(user: User) -> bool:
    """True while ``user`` is an RM with an on-call shift that has started and not ended."""
    if user.role != Role.RELATIONSHIP_MANAGER:
        return False
    now = timezone.now()
    return Shift.objects.filter(rm__user_id=user.pk, starts_at__lte=now, ends_at__gt=now).exists()


def rm_name_subquery() -> Subquery:
    """The open assignment's RM name of the client at ``OuterRef("pk")``."""
    return Subquery(
        Assignment.objects.filter(client=OuterRef("pk"), ended_at__isnull=True).values("rm__name")[
            :1
        ]
    )


def rms_with_user() -> QuerySet[RelationshipManager]:
    """The RMs the client list's RM filter offers and accepts, by name: those who can sign in
    (an active RM whose user is active), and one who left (made inactive, or their user
    deactivated) while clients are still assigned to them, so those clients can be found and
    handed over."""
    still_assigned = Exists(Assignment.objects.filter(rm=OuterRef("pk"), ended_at__isnull=True))
    return (
        RelationshipManager.objects.exclude(user=None)
        .filter(Q(status=RmStatus.ACTIVE, user__is_active=True) | still_assigned)
        .order_by("name")
    )


def client_ids_of(rm: RelationshipManager) -> QuerySet:
    """The ids of the clients ``rm`` looks after now (``values("client_id")``)."""
    return Assignment.objects.filter(rm=rm, ended_at__isnull=True).values("client_id")


def active_assignment_for(*, client: Client) -> Assignment | None:
    """The client's open assignment with its RM and the RM's user, or None. A client has at most
    one (``Assignment``'s constraint), so no ORDER BY: building ``first()``'s was a fifth of this
    query's Python time on every dossier (SPEC section 11)."""
    found = list(
        Assignment.objects.select_related("rm", "rm__user")
        .filter(client=client, ended_at__isnull=True)
        .order_by()[:1]
    )
    return found[0] if found else None


def rm_of_client(*, client: Client) -> RelationshipManager | None:
    assignment = active_assignment_for(client=client)
    return assignment.rm if assignment else None


def rms_on_shift(*, at: datetime):
    return (
        RelationshipManager.objects.filter(
            status=RmStatus.ACTIVE,
            shifts__starts_at__lte=at,
            shifts__ends_at__gt=at,
        )
        .select_related("user", "branch")
        .distinct()
    )


@dataclass(frozen=True)
class Responder:
    """Who answers a hotline call: ``kind`` is ``own_rm``, ``on_call`` or ``uncovered``."""

    rm: RelationshipManager | None
    kind: str

    @property
    def covered(self) -> bool:
        return self.rm is not None


def who_answers(*, client: Client | None, at: datetime) -> Responder:
    """The client's RM if on shift at ``at``, else an on-call RM (the one whose shift started
    first, so a hand-over goes to whoever has been on longest), else nobody: uncovered."""
    on_shift = rms_on_shift(at=at)
    if client is not None:
        own = rm_of_client(client=client)
        if own is not None and on_shift.filter(pk=own.pk).exists():
            return Responder(rm=own, kind="own_rm")
    shift = (
        Shift.objects.filter(Q(starts_at__lte=at) & Q(ends_at__gt=at), rm__status=RmStatus.ACTIVE)
        .select_related("rm", "rm__user", "rm__branch")
        .order_by("starts_at", "pk")
        .first()
    )
    if shift is not None:
        return Responder(rm=shift.rm, kind="on_call")
    return Responder(rm=None, kind="uncovered")


# --- Policy and selection ---------------------------------------------------------------------


def policy_current(*, on: date | None = None) -> RmSelectionPolicy:
    """The selection policy in force on ``on`` (today by default). Without any row (a database
    emptied by hand) the model's defaults, which are SPEC section 4's numbers, stand in."""
    on = on or timezone.localdate()
    policy = RmSelectionPolicy.objects.filter(effective_from__lte=on).first()
    return policy or RmSelectionPolicy(effective_from=date(2000, 1, 1))


@dataclass(frozen=True)
class Criterion:
    key: str
    value: object
    threshold: object
    met: bool
    required: bool = True


def candidate_criteria(*, rm: RelationshipManager, policy: RmSelectionPolicy) -> list[Criterion]:
    """Each selection criterion with the candidate's value, the policy's threshold and whether it
    is met. Certifications are shown (a supervisor weighs them) but the policy does not require
    them, so they never block an approval."""
    return [
        Criterion(
            "years_experience",
            rm.years_experience,
            policy.min_years_experience,
            rm.years_experience >= policy.min_years_experience,
        ),
        Criterion(
            "communication_score",
            rm.communication_score,
            policy.min_communication_score,
            rm.communication_score >= policy.min_communication_score,
        ),
        Criterion(
            "certifications", rm.certifications, None, bool(rm.certifications.strip()), False
        ),
    ]


def candidate_meets_policy(*, rm: RelationshipManager, policy: RmSelectionPolicy) -> bool:
    return all(c.met for c in candidate_criteria(rm=rm, policy=policy) if c.required)


def candidates() -> QuerySet[RelationshipManager]:
    return RelationshipManager.objects.filter(status=RmStatus.CANDIDATE).select_related(
        "branch", "user"
    )


# --- Training ---------------------------------------------------------------------------------


def training_valid_since(*, as_of: date, policy: RmSelectionPolicy | None = None) -> date:
    """First day a passed course still counts. "In the last 12 months" includes the course held
    on the same calendar day 12 months ago: on 2026-11-28 a course of 2025-11-28 counts, on
    2026-11-29 it no longer does."""
    policy = policy or policy_current(on=as_of)
    return months_before(as_of, policy.training_valid_months)


def _last_passed_subquery():
    return Subquery(
        TrainingRecord.objects.filter(rm=OuterRef("pk"), result=TrainingResult.PASSED)
        .order_by("-course__held_on")
        .values("course__held_on")[:1]
    )


def _open_count_subquery():
    return Coalesce(
        Subquery(
            Assignment.objects.filter(rm=OuterRef("pk"), ended_at__isnull=True)
            .order_by()
            .values("rm")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def rms_with_load() -> QuerySet[RelationshipManager]:
    """RMs with ``open_count`` (open assignments) and ``last_passed_on`` (latest passed course),
    each from a subquery so the two never multiply each other's rows."""
    return RelationshipManager.objects.select_related("branch", "user").annotate(
        open_count=_open_count_subquery(), last_passed_on=_last_passed_subquery()
    )


@dataclass(frozen=True)
class RmRow:
    rm: RelationshipManager
    open_count: int
    last_passed_on: date | None
    training_lapsed: bool

    @property
    def never_trained(self) -> bool:
        """No passed course at all: a newly approved RM is "not yet trained", not "lapsed"."""
        return self.last_passed_on is None

    @property
    def over_capacity(self) -> bool:
        return self.open_count > self.rm.capacity

    @property
    def load_percent(self) -> int:
        if not self.rm.capacity:
            return 100 if self.open_count else 0
        return min(100, round(100 * self.open_count / self.rm.capacity))


def rm_rows(rms, *, as_of: date) -> list[RmRow]:
    """Board/training rows for RMs from ``rms_with_load()`` (already filtered and paged)."""
    since = training_valid_since(as_of=as_of)
    return [
        RmRow(
            rm=rm,
            open_count=rm.open_count,
            last_passed_on=rm.last_passed_on,
            training_lapsed=rm.last_passed_on is None or rm.last_passed_on < since,
        )
        for rm in rms
    ]


def rms_needing_attention(*, as_of: date) -> list[RmRow]:
    """Active RMs over capacity or with lapsed training (the supervisor's home widget)."""
    rows = rm_rows(rms_with_load().filter(status=RmStatus.ACTIVE), as_of=as_of)
    return [r for r in rows if r.over_capacity or r.training_lapsed]


def training_lapsed_rm_ids(*, as_of: date) -> set[int]:
    since = training_valid_since(as_of=as_of)
    current = TrainingRecord.objects.filter(
        rm=OuterRef("pk"), result=TrainingResult.PASSED, course__held_on__gte=since
    )
    return set(
        RelationshipManager.objects.filter(status=RmStatus.ACTIVE)
        .exclude(Exists(current))
        .values_list("pk", flat=True)
    )


def training_spend(*, year: int) -> Decimal:
    """Actual training spend for ``year``: each course held that year costs its
    ``cost_per_attendee`` once per record that is not ABSENT. Enrolled seats count because the bank
    pays for a booked seat; a no-show is not charged (an absence is recorded instead)."""
    total = (
        TrainingRecord.objects.filter(course__held_on__year=year)
        .exclude(result=TrainingResult.ABSENT)
        .aggregate(total=Sum("course__cost_per_attendee"))["total"]
    )
    return total if total is not None else Decimal("0.00")


def training_rms_for(*, user: User) -> QuerySet[RelationshipManager]:
    """RMs whose training a user may see: supervisors and administrators all, an RM only self."""
    qs = RelationshipManager.objects.select_related("branch", "user")
    if user.is_service_wide:
        return qs
    if user.role == Role.RELATIONSHIP_MANAGER:
        return qs.filter(user_id=user.pk)
    return qs.none()


def training_rm_for(*, user: User, pk: int) -> RelationshipManager:
    """The one access helper for an RM's training record page: 404 outside scope."""
    rm = training_rms_for(user=user).filter(pk=pk).first()
    if rm is None:
        raise Http404
    return rm


def training_records_of(*, rm: RelationshipManager) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(rm=rm).select_related("course")


def courses_with_counts() -> QuerySet[TrainingCourse]:
    # Meta.ordering is ignored by aggregating queries, so the order is spelled out.
    return TrainingCourse.objects.annotate(
        attendees=Count("records", filter=~Q(records__result=TrainingResult.ABSENT)),
        passed=Count("records", filter=Q(records__result=TrainingResult.PASSED)),
    ).order_by("-held_on", "-pk")


# --- Assignments ------------------------------------------------------------------------------


def open_assignment_exists():
    return Exists(Assignment.objects.filter(client=OuterRef("pk"), ended_at__isnull=True))


def unassigned_vips() -> QuerySet[Client]:
    """The "unassigned" queue: VIP clients (incl. at risk) with no open assignment."""
    return (
        Client.objects.filter(status__in=VIP_STATUSES)
        .exclude(open_assignment_exists())
        .select_related("branch")
        .order_by("branch__code", "client_no")
    )


def assignment_history(*, client: Client) -> QuerySet[Assignment]:
    return Assignment.objects.filter(client=client).select_related(
        "rm", "rm__branch", "assigned_by"
    )


def active_rms(*, branch_id: int | None = None) -> QuerySet[RelationshipManager]:
    qs = RelationshipManager.objects.filter(status=RmStatus.ACTIVE).select_related("branch")
    return qs.filter(branch_id=branch_id) if branch_id else qs


def rm_for_user(*, user: User) -> RelationshipManager | None:
    if not user.is_authenticated:
        return None
    return RelationshipManager.objects.filter(user_id=user.pk).select_related("branch").first()


# --- Rota -------------------------------------------------------------------------------------


def shifts_between(*, start: datetime, end: datetime) -> QuerySet[Shift]:
    """Shifts overlapping [start, end) (a shift's end is exclusive)."""
    return (
        Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("rm", "rm__branch")
        .order_by("starts_at", "pk")
    )


def coverage_gaps(*, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Gaps in 24-hour hotline coverage within [start, end): overlapping and touching shifts of
    active RMs are merged, so a night shift ending at 08:00 and a day shift starting at 08:00
    leave no gap; a gap may run across midnight."""
    spans = (
        Shift.objects.filter(starts_at__lt=end, ends_at__gt=start, rm__status=RmStatus.ACTIVE)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    gaps: list[tuple[datetime, datetime]] = []
    covered_until = start
    for s, e in spans:
        if s > covered_until:
            gaps.append((covered_until, s))
        covered_until = max(covered_until, e)
        if covered_until >= end:
            break
    if covered_until < end:
        gaps.append((covered_until, end))
    return gaps


def next_week_window(*, now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now, now + timedelta(days=7)


def next_shifts_of(*, rm: RelationshipManager, now: datetime, limit: int = 5) -> list[Shift]:
    return list(Shift.objects.filter(rm=rm, ends_at__gt=now).order_by("starts_at")[:limit])


def open_load_of(*, rm: RelationshipManager) -> int:
    return Assignment.objects.filter(rm=rm, ended_at__isnull=True).count()
