"""Reads of the service desk, scoped by who is asking.

Scope (SPEC section 1):
- Supervisors and administrators: everything.
- Relationship managers: the calls, call-backs and plans of their assigned clients (and calls they
  took themselves); events with the invitations of their clients.
- Branch staff: the calls they took; no call-backs, plans or events.
- Hotline intake: a caller is shown when in ``clients.selectors.hotline_clients_for_user`` (own
  scope; an RM on an on-call shift that is on now also every VIP); anyone else gets "no client in
  your scope" and may still log and route the call. ID and phone stay masked unless
  ``clients.selectors.user_sees_pii`` says otherwise.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from clients.models import Client
from clients.selectors import assigned_to, clients_for_user
from core.models import User
from core.phone import is_landline_ending_with, local_landline_digits
from core.registry import CallSummary
from core.roles import Role
from servicedesk.models import (
    COMPLETED_CALLBACK_STATUSES,
    Callback,
    CallbackQuerySet,
    CallLog,
    Event,
    Invitation,
    PlanStatus,
    WealthPlan,
)

# A local landline number is shared by at most a few clients in different cities; beyond this
# many, the lookup does not guess.
_LOCAL_CANDIDATES = 20


def client_by_phone(*, normalized: str) -> Client | None:
    """The client with that number (E.164, ``core.phone.normalize_phone``): the hotline's intake
    lookup, not scoped. A landline dialled without its area code (``"6888 8888"``) finds the
    client whose stored landline ends with it, when that number is the only such one."""
    clients = Client.objects.select_related("branch").order_by("-status", "pk")
    client = clients.filter(phone_normalized=normalized).first()
    local = local_landline_digits(normalized) if client is None else None
    if local is None:
        return client
    # The trigram index on phone_normalized serves this "ends with" (PostgreSQL).
    candidates = [
        c
        for c in clients.filter(phone_normalized__endswith=local)[:_LOCAL_CANDIDATES]
        if is_landline_ending_with(c.phone_normalized, local)
    ]
    if len({c.phone_normalized for c in candidates}) != 1:
        return None  # none, or the same local number in several cities: no guess
    return candidates[0]


# --- Calls -----------------------------------------------------------------------------------------


def calls_for_user(*, user: User) -> QuerySet[CallLog]:
    base = CallLog.objects.select_related(
        "client", "client__branch", "handled_by", "answered_by_rm"
    )
    if user.is_service_wide:
        return base
    if user.role == Role.RELATIONSHIP_MANAGER:
        return base.filter(Q(handled_by=user) | assigned_to(user, "client_id"))
    if user.role == Role.BRANCH_STAFF:
        return base.filter(handled_by=user)
    return base.none()


def call_for_user(*, user: User, pk: int) -> CallLog:
    call = calls_for_user(user=user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def call_summary_for_user(*, user: User, pk: int) -> CallSummary | None:
    """The call a ticket is opened from ("Open a ticket from this call"), as ``user`` may see it:
    its client, topic label and notes; ``None`` outside the user's scope."""
    call = calls_for_user(user=user).filter(pk=pk).first()
    if call is None:
        return None
    return CallSummary(
        pk=call.pk,
        client_id=call.client_id,
        topic=str(call.get_topic_display()),
        notes=call.notes,
    )


# --- Call-backs ------------------------------------------------------------------------------------


def callbacks_for_user(*, user: User) -> QuerySet[Callback]:
    base = Callback.objects.select_related("client", "client__branch", "rm")
    if user.is_service_wide:
        return base
    if user.role == Role.RELATIONSHIP_MANAGER:
        # By the client's current RM: after a reassignment the open call-back moves with the
        # client, and the former RM no longer sees it.
        return base.filter(assigned_to(user, "client_id"))
    return base.none()


def callback_summary_for_user(*, user: User, pk: int) -> CallSummary | None:
    """The call-back a ticket is opened from ("Open a ticket from this call"), as ``user`` may see
    it: its client, a subject naming the month, and what the RM recorded (the client's needs and
    the notes); ``None`` outside the user's scope."""
    callback = callbacks_for_user(user=user).filter(pk=pk).first()
    if callback is None:
        return None
    return CallSummary(
        pk=callback.pk,
        client_id=callback.client_id,
        topic=_("Call-back %(month)s") % {"month": callback.period.strftime("%Y-%m")},
        notes="\n\n".join(text for text in (callback.needs, callback.notes) if text),
    )


def callback_phones_unmasked(*, user: User) -> bool:
    """Whether a call-back list shows its clients' phones in full: an RM's list holds only their
    own clients (``callbacks_for_user``), and supervisors see every client's PII (SPEC section 1:
    the client's own RM, supervisors and administrators)."""
    return user.is_service_wide or user.role == Role.RELATIONSHIP_MANAGER


def callback_for_user(*, user: User, pk: int) -> Callback:
    callback = callbacks_for_user(user=user).filter(pk=pk).first()
    if callback is None:
        raise Http404
    return callback


CALLBACK_TABS = ("week", "open", "overdue", "done")


def callbacks_tab(qs: CallbackQuerySet, *, tab: str, today: date) -> QuerySet[Callback]:
    """The worklist's tabs: due this week (open, not overdue, due or to retry within 7 days),
    all open, overdue (not completed and past the due date), done."""
    week_end = today + timedelta(days=6)
    if tab == "overdue":
        return qs.overdue(today=today).order_by("due_on", "client__name")
    if tab == "done":
        return qs.completed().order_by("-completed_at")
    open_now = qs.open().filter(due_on__gte=today)
    if tab == "open":
        return open_now.order_by("due_on", "retry_on", "client__name")
    return open_now.filter(Q(due_on__lte=week_end) | Q(retry_on__lte=week_end)).order_by(
        "retry_on", "due_on", "client__name"
    )


def callback_tab_counts(qs: QuerySet[Callback], *, today: date) -> dict[str, int]:
    week_end = today + timedelta(days=6)
    not_done = Q(completed_at__isnull=True)
    counts = qs.aggregate(
        week=Count(
            "pk",
            filter=not_done
            & Q(due_on__gte=today)
            & (Q(due_on__lte=week_end) | Q(retry_on__lte=week_end)),
        ),
        open=Count("pk", filter=not_done & Q(due_on__gte=today)),
        overdue=Count("pk", filter=not_done & Q(due_on__lt=today)),
        done=Count("pk", filter=Q(status__in=COMPLETED_CALLBACK_STATUSES)),
    )
    return counts


def last_callback(*, client: Client) -> Callback | None:
    return Callback.objects.filter(client=client).select_related("rm").order_by("-period").first()


# --- Wealth plans ----------------------------------------------------------------------------------


def plans_for_user(*, user: User) -> QuerySet[WealthPlan]:
    base = WealthPlan.objects.select_related("client", "client__branch", "rm")
    if user.is_service_wide:
        return base
    if user.role == Role.RELATIONSHIP_MANAGER:
        return base.filter(assigned_to(user, "client_id"))
    return base.none()


def plan_for_user(*, user: User, pk: int) -> WealthPlan:
    plan = plans_for_user(user=user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def plan_clients_for_user(*, user: User) -> QuerySet[Client]:
    """Clients a user may write a plan for: the client scope of RMs and supervisors (branch staff
    write no plans)."""
    if user.is_service_wide or user.role == Role.RELATIONSHIP_MANAGER:
        return clients_for_user(user=user)
    return Client.objects.none()


def plans_due_for_review(*, user: User, today: date, days: int = 7) -> QuerySet[WealthPlan]:
    return (
        plans_for_user(user=user)
        .filter(next_review_on__lte=today + timedelta(days=days))
        .exclude(status=PlanStatus.DECLINED)
        .order_by("next_review_on")
    )


# --- Events ----------------------------------------------------------------------------------------


def events_for_user(*, user: User) -> QuerySet[Event]:
    """Events are the bank's own and not sensitive: RMs and supervisors see all of them (the
    invitations are scoped, see invitations_for_user)."""
    if user.is_service_wide or user.role == Role.RELATIONSHIP_MANAGER:
        return Event.objects.all()
    return Event.objects.none()


def event_for_user(*, user: User, pk: int) -> Event:
    event = events_for_user(user=user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def invitations_for_user(*, user: User) -> QuerySet[Invitation]:
    base = Invitation.objects.select_related("client", "client__branch", "event")
    if user.is_service_wide:
        return base
    if user.role == Role.RELATIONSHIP_MANAGER:
        return base.filter(assigned_to(user, "client_id"))
    return base.none()


def invitation_for_user(*, user: User, pk: int) -> Invitation:
    invitation = invitations_for_user(user=user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def event_spend(*, year: int) -> Decimal:
    """Total cost of the events held in ``year`` (the budget's other-costs line)."""
    total = Event.objects.filter(
        held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31)
    ).aggregate(total=Sum("cost"))["total"]
    return total if total is not None else Decimal("0.00")


def event_spend_by_month(*, year: int) -> list[Decimal]:
    """Twelve monthly totals of event cost for ``year`` (January first), in one query."""
    totals = [Decimal("0.00")] * 12
    rows = (
        Event.objects.filter(held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31))
        .values_list("held_on", "cost")
        .order_by()
    )
    for held_on, cost in rows:
        totals[held_on.month - 1] += cost
    return totals
