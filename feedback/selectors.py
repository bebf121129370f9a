"""Reads of the feedback app, scoped by who is asking.

- Feedback team, supervisors, administrators: every ticket.
- Relationship managers: tickets on the clients they see (their own; every VIP while on call) and
  tickets they logged themselves.
- Branch staff: tickets on their branch's clients and tickets they logged.
- Anyone else: nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from clients.models import Client
from clients.selectors import ContactMatch, clients_for_user, contact_matches
from core.ids import ids_listed
from core.models import User
from core.roles import SERVICE_WIDE_ROLES, Role
from core.selectors import users_with_role
from feedback import sla
from feedback.models import (
    OPEN_STATUSES,
    URGENCY,
    HeldMail,
    SlaPolicy,
    Survey,
    Ticket,
    TicketAttachment,
    TicketMessage,
)

TEAM_ROLES = frozenset({Role.FEEDBACK_TEAM, *SERVICE_WIDE_ROLES})


def user_is_team(user: User) -> bool:
    """Triage, assign, respond, resolve and close: the feedback team and supervisors."""
    return user.role in TEAM_ROLES


# The most ticket keys ``tickets_for_queue`` reads into a list (an RM's or a branch's; an RM on
# call sees every VIP's, and a long literal list costs PostgreSQL more to plan than it saves).
KEYS_LISTED_MAX = 2_000


def _scope_keys(user: User) -> QuerySet[Ticket, int] | None:
    """The keys of the tickets an RM or branch staff may see, as a query; None for anyone else."""
    if user.role not in (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF):
        return None
    visible = clients_for_user(user=user).values("pk")
    # Two index lookups whose keys are united: ``client in (…) OR created_by = me`` made
    # PostgreSQL filter every ticket (26 ms for an RM's queue page among 50,000 tickets; 5 ms
    # this way).
    return (
        Ticket.objects.filter(client__in=visible)
        .order_by()
        .values_list("pk", flat=True)
        .union(Ticket.objects.filter(created_by=user).order_by().values_list("pk", flat=True))
        .order_by()
    )


def _tickets() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("client", "client__branch", "handler")


def tickets_for_user(*, user: User) -> QuerySet[Ticket]:
    base = _tickets()
    if user.role in TEAM_ROLES:
        return base
    keys = _scope_keys(user)
    return base.none() if keys is None else base.filter(pk__in=keys)


def tickets_for_queue(*, user: User) -> QuerySet[Ticket]:
    """``tickets_for_user`` for a page that asks the scope several times (the queue: its rows,
    their capped count, the SLA counts). An RM's or branch staff's ticket keys are read once,
    one query on the union's two indexes, and the page's queries get them as a list when there
    are at most ``KEYS_LISTED_MAX``: PostgreSQL otherwise ran the union again in each of the
    three (~6 ms each for an RM among 50,000 tickets, benchmarks/REPORT.md). More keys keep the
    subquery. The same tickets either way."""
    keys = _scope_keys(user)
    if keys is None:
        return tickets_for_user(user=user)
    listed = list(keys[: KEYS_LISTED_MAX + 1])
    if len(listed) > KEYS_LISTED_MAX:
        return tickets_for_user(user=user)
    return _tickets().filter(pk__in=ids_listed(listed))


def ticket_for_user(*, user: User, reference: str) -> Ticket:
    """The one access helper for a single ticket: 404 outside the user's scope."""
    ticket = tickets_for_user(user=user).filter(reference=reference).first()
    if ticket is None:
        raise Http404
    return ticket


@dataclass(frozen=True)
class SenderAsTyped:
    """What the sender typed (the web form's name, phone and e-mail; an e-mail's sender address)
    and which of it differs from the matched client's file."""

    name: str
    phone: str
    email: str
    # The phone exactly as typed (tickets before it was kept: empty, the E.164 form is shown).
    phone_typed: str = ""
    name_differs: bool = False
    phone_differs: bool = False
    email_differs: bool = False

    @property
    def phone_shown(self) -> str:
        return self.phone_typed or self.phone

    @property
    def typed(self) -> bool:
        return bool(self.name or self.phone or self.email)

    @property
    def differs(self) -> bool:
        return self.name_differs or self.phone_differs or self.email_differs


def _same_name(typed: str, on_file: str) -> bool:
    # Spaces and case aside: "王 芳" is 王芳, "Wang Fang" is "wang fang".
    return "".join(typed.split()).casefold() == "".join(on_file.split()).casefold()


def sender_as_typed(ticket: Ticket) -> SenderAsTyped:
    """The sender's own details as the ticket keeps them, shown on the ticket whether or not it
    was matched to a client (issue 14). With a client, each typed detail that differs from the
    client's file (name by letters, spaces and case aside; phone in E.164; e-mail case aside) is
    flagged, so staff notice a match by phone or e-mail that may be someone else's. A detail not
    typed is never a difference."""
    name, phone, email = ticket.sender_name, ticket.sender_phone, ticket.sender_email
    client = ticket.client
    typed = ticket.sender_phone_typed
    if client is None:
        return SenderAsTyped(name=name, phone=phone, email=email, phone_typed=typed)
    return SenderAsTyped(
        name=name,
        phone=phone,
        email=email,
        phone_typed=typed,
        name_differs=bool(name) and not _same_name(name, client.name),
        phone_differs=bool(phone) and phone != client.phone_normalized,
        email_differs=bool(email) and email.casefold() != client.email.strip().casefold(),
    )


def sender_unmatched_why(ticket: Ticket) -> ContactMatch | None:
    """Why a ticket from outside (web form, mail) has no client: whose files its sender's phone
    and e-mail are on now (``clients.selectors.contact_matches``, the rule that matched it): none,
    several, or the phone one client's and the e-mail another's. None for a matched ticket or one
    without contact details (staff log those for a client)."""
    if ticket.client_id is not None or not (ticket.sender_phone or ticket.sender_email):
        return None
    return contact_matches(email=ticket.sender_email, phone=ticket.sender_phone)


def urgency_ordered(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Most urgent first: tickets still waiting for a first response by their deadline, then the
    answered open ones, then resolved and closed ones (``URGENCY``, read from its index)."""
    return qs.annotate(urgency=URGENCY).order_by("urgency", "first_response_due_at", "pk")


def awaiting_response(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.filter(sla.AWAITING)


def thread_for(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    return ticket.messages.select_related("author")


def handlers() -> QuerySet[User]:
    """Who may handle tickets: the feedback team and supervisors."""
    return users_with_role(Role.FEEDBACK_TEAM, Role.SUPERVISOR).order_by("username")


def team_leads() -> QuerySet[User]:
    """Who is warned at 75%: members of the feedback team holding ``feedback.lead_team`` (given
    per user in admin); while nobody holds it, the whole team, so a warning never goes unseen."""
    team = users_with_role(Role.FEEDBACK_TEAM)
    leads = team.filter(
        user_permissions__codename="lead_team",
        user_permissions__content_type__app_label="feedback",
    )
    return leads if leads.exists() else team


def may_review_held_mail(user: User) -> bool:
    """Held (ignored or quarantined) email is the feedback team lead's (SPEC section 6, issue 12:
    "listed for the feedback team lead"): the leads of ``team_leads`` (so whoever is told of a
    quarantined email may open it: the whole team while nobody holds ``feedback.lead_team``),
    and supervisors and administrators, who see everything in the service. Two small queries:
    one query asking "a lead, or nobody is" took PostgreSQL 3.6 ms to plan, twice the two."""
    if user.is_service_wide:
        return True
    return user.role == Role.FEEDBACK_TEAM and team_leads().filter(pk=user.pk).exists()


def held_mail_for_user(*, user: User) -> QuerySet[HeldMail]:
    """The one access helper for held email (``may_review_held_mail``); nothing for anyone else,
    whose pages answer 404."""
    if not may_review_held_mail(user):
        return HeldMail.objects.none()
    return HeldMail.objects.select_related("ticket", "result_ticket", "reprocessed_by")


def attachments_of(*, ticket: Ticket) -> QuerySet[TicketAttachment]:
    """A ticket's files; whoever may see the ticket (``ticket_for_user``) may see them."""
    return ticket.attachments.all()


def response_hours_in_force() -> int:
    """Hours within which a ticket received now gets its first response, by the SLA policy in
    force (SPEC section 6: 48): what the web form promises its sender."""
    return SlaPolicy.in_force(timezone.now()).response_hours


def tickets_of_client(*, user: User, client: Client, limit: int = 20) -> QuerySet[Ticket]:
    return urgency_ordered(tickets_for_user(user=user).filter(client=client))[:limit]


def open_ticket_count(*, client: Client) -> int:
    """Open tickets of one client, for the hotline's client card."""
    return Ticket.objects.filter(client=client, status__in=OPEN_STATUSES).count()


def _hours(delta) -> Decimal:
    return Decimal(delta.total_seconds()) / Decimal(3600)


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def sla_figures(*, start: datetime, end: datetime, now: datetime | None = None) -> dict:
    """SLA figures for tickets received in [start, end).

    ``met``: first response by the deadline. ``breached``: answered late, or still unanswered
    past the deadline (``feedback.sla``: decided but not met). ``met_rate`` = met / decided:
    tickets still inside their window, or closed without needing a response, are not decided and
    count in neither. ``median_response_hours`` over answered tickets.
    """
    now = now or timezone.now()
    rows = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "received_at", "first_response_at", "first_response_due_at", "status"
    )
    states = []
    response_hours: list[Decimal] = []
    for received_at, responded_at, due_at, status in rows:
        if responded_at is not None:
            response_hours.append(_hours(responded_at - received_at))
        states.append(
            sla.state_from(
                first_response_at=responded_at,
                first_response_due_at=due_at,
                warn_due_at=None,
                status=status,
                now=now,
            )
        )
    received, responded = len(states), len(response_hours)
    met, decided = sla.met_and_decided(states)
    breached = decided - met
    median = _median(response_hours)
    return {
        "received": received,
        "responded": responded,
        "met": met,
        "breached": breached,
        "met_rate": (
            (Decimal(met) / Decimal(decided)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            if decided
            else None
        ),
        "median_response_hours": (
            median.quantize(Decimal("0.01"), ROUND_HALF_UP) if median is not None else None
        ),
    }


def survey_scores(*, start: date, end: date) -> QuerySet[Survey]:
    """Answered surveys with a local response date in [start, end] (both ends inclusive), as a
    queryset of Survey rows (``score``, ``responded_at``, ``ticket_id``) for analytics."""
    tz = timezone.get_current_timezone()
    lower = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    upper = timezone.make_aware(datetime.combine(end, datetime.min.time()), tz)
    return (
        Survey.objects.filter(responded_at__isnull=False, score__isnull=False)
        .filter(responded_at__gte=lower)
        .filter(responded_at__lt=upper + timedelta(days=1))
        .order_by("responded_at")
    )
