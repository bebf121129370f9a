"""Reads of clients, scoped by who is asking (SPEC section 1). The ONE definition of the client
scope: every app imports it from here.

- Supervisors and administrators: every client.
- Relationship managers: their assigned clients. Lists, counts and widgets stay this ("my" means
  mine, issue 14). Only what the hotline opens widens: while the RM is on an on-call shift that is on
  now, a VIP caller they looked up (and the dossier reached from that call) is in scope too.
- Branch staff: the clients of their own branch (PII masked).
- Feedback team and users without a role: no client list or dossier (the feedback queue shows the
  client header from the ticket).
"""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Reverse, Upper
from django.http import Http404
from django.utils import timezone

from clients.models import (
    VIP_STATUSES,
    Account,
    Balance,
    Client,
    StatusChange,
    VipPolicy,
    VipStatus,
)
from core.dates import months_before
from core.lists import Sorting
from core.memo import ProcessMemo
from core.models import Branch, User
from core.phone import national_digits, phone_key, typed_text
from core.registry import rm_directory
from core.roles import Role


def assigned_to(user: User, client_ref: str = "pk") -> Exists:
    """``EXISTS`` an open assignment of the client at ``client_ref`` to ``user`` as its RM: the one
    spelling of "my client" for querysets of clients (``"pk"``) or of rows with a client
    (``"client_id"``). Assignments are the managers app's, read through its ``RmDirectory``."""
    return rm_directory().assigned_to(user, client_ref)


def rm_on_call_now(*, user: User) -> bool:
    """True while ``user`` is an RM with an on-call shift that has started and not ended."""
    return rm_directory().on_call_now(user)


def clients_for_user(*, user: User) -> QuerySet[Client]:
    """The user's own client scope, for every list, count, widget and export (never widened)."""
    base = Client.objects.select_related("branch")
    if user.is_service_wide:
        return base
    role = user.role
    if role == Role.BRANCH_STAFF:
        return base.filter(branch_id=user.branch_id) if user.branch_id else base.none()
    if role == Role.RELATIONSHIP_MANAGER:
        return base.filter(assigned_to(user))
    return base.none()


def branches_for_user(*, user: User) -> QuerySet[Branch]:
    """The branches a user's client list may be narrowed to, as its filter offers and accepts
    them: every branch for a service-wide role, else the branches of the clients in the user's
    scope (branch staff: their own; an RM: those of their own clients), so no other branch is
    named or taken."""
    if user.is_service_wide:
        return Branch.objects.all()
    return Branch.objects.filter(pk__in=clients_for_user(user=user).values("branch_id"))


def hotline_clients_for_user(
    *, user: User, reached: Iterable[int] | None = None
) -> QuerySet[Client]:
    """The scope of single objects the hotline opens: the own scope, plus for an RM on an on-call
    shift that is on now every VIP (``reached=None``: the look-up of a caller) or the VIPs among
    the client ids ``reached`` from this RM's calls (the dossier reached from a call)."""
    own = clients_for_user(user=user)
    if reached is not None:
        reached = [pk for pk in reached if isinstance(pk, int)]
        if not reached:
            return own
    if not rm_on_call_now(user=user):
        return own
    widened = Q(status__in=VIP_STATUSES)
    if reached is not None:
        widened &= Q(pk__in=reached)
    return Client.objects.select_related("branch").filter(assigned_to(user) | widened)


def client_for_user(*, user: User, pk: int, reached: Iterable[int] = ()) -> Client:
    """The one access helper for a single client: 404 when outside the user's scope. ``reached``
    are the client ids this user's hotline calls opened (see ``core.access.hotline_reached``)."""
    client = hotline_clients_for_user(user=user, reached=reached).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


# "The caller did not pass the client's active assignment": user_sees_pii then reads it.
UNKNOWN = object()


def user_sees_pii(*, user: User, client: Client, assignment=UNKNOWN) -> bool:
    """Unmasked ID number and phone: the client's own RM, supervisors and administrators.

    ``assignment``: the client's active ``Assignment`` (with its ``rm``) or None, when the caller
    has already read it (the dossier): no query then; otherwise one query for an RM."""
    if user.is_service_wide:
        return True
    if user.role != Role.RELATIONSHIP_MANAGER:
        return False
    if assignment is not UNKNOWN:
        return assignment is not None and assignment.rm.user_id == user.pk
    return Client.objects.filter(assigned_to(user), pk=client.pk).exists()


# The clients whose PII the user revealed on the dossier this session (its audited "show").
REVEALED_SESSION_KEY = "clients.revealed"


def pii_revealed(*, user: User, client: Client, revealed_ids, assignment=UNKNOWN) -> bool:
    """Does a page show this client's ID number whole (``core.masking.id_number_shown``)? Only
    for one who may see PII (``user_sees_pii``) and has revealed it with the dossier's audited
    "show" this session (``revealed_ids``, the session's ``REVEALED_SESSION_KEY``). The one rule
    of the dossier and the hotline card, so both show the same for the same client and role."""
    if client.pk not in (revealed_ids or ()):
        return False
    return user_sees_pii(user=user, client=client, assignment=assignment)


def rm_name_subquery() -> Subquery:
    """The open assignment's RM name, for annotating lists in the same query."""
    return rm_directory().rm_name()


CLIENT_SORTING = Sorting(
    {
        "client_no": "client_no",
        "name": "name",
        "kind": "kind",
        "branch": "branch__code",
        "status": "status",
        "assets": "total_assets",
        "rm": "rm_name",
    },
    default="client_no",
)


def client_list(*, user: User, q: str = "", sort: str = "") -> QuerySet[Client]:
    """The client list of a user: scoped, searched (name, client number, phone), sorted, with the
    RM's name annotated so a page is one query whatever its size."""
    qs = clients_for_user(user=user).annotate(rm_name=rm_name_subquery())
    if user.role == Role.RELATIONSHIP_MANAGER:
        # The own RM sees the client's PII unmasked (SPEC section 1).
        qs = qs.annotate(is_mine=assigned_to(user))
    q = (q or "").strip()
    if q:
        qs = qs.annotate(name_reversed=Reverse(Upper("name"))).filter(search_match(q))
    return CLIENT_SORTING.apply(qs, sort)[0]


PHONE_TAIL_DIGITS = 4


def search_match(q: str) -> Q:
    """What staff type into the search box (issue 14), as one condition on ``Client`` annotated
    with ``name_reversed`` (``Reverse(Upper("name"))``):

    - any part of the client number;
    - any part of the name. From 3 characters "contains" is served by a trigram index on
      PostgreSQL (clients migrations 0006 and 0010); a shorter text, a surname or a Chinese
      given name (王芳: "王", "芳"), matches the start or the end of the name, each served by a
      prefix index (the end through the reversed name);
    - the phone: a whole number in any format (``core.phone``: the stored E.164 form, or its
      national digits' end for a landline typed without its area code), or the last
      ``PHONE_TAIL_DIGITS`` or more digits as typed (the stored form ends with them);
    - the client number and the phone also in full-width characters (NFKC).
    """
    if len(q) >= 3:
        match = Q(name__icontains=q)
    else:
        match = Q(name__istartswith=q) | Q(name_reversed__startswith=q.upper()[::-1])
    # A client number or a phone typed with a Chinese input method's full-width characters
    # (ＤＣ００４７, １３８…) read as the ASCII they stand for; a name is matched as written.
    ascii_q = typed_text(q)
    match |= Q(client_no__icontains=ascii_q) if len(q) >= 3 else Q(client_no__iexact=ascii_q)
    number = phone_key(ascii_q)
    if number and len(national := national_digits(number)) >= 7:
        match |= Q(phone_normalized=number) | Q(phone_normalized__endswith=national)
    typed = ascii_q.replace(" ", "").replace("-", "")
    if PHONE_TAIL_DIGITS <= len(typed) < 7 and typed.isascii() and typed.isdigit():
        match |= Q(phone_normalized__endswith=typed)
    return match


@dataclass(frozen=True)
class ContactMatch:
    """Whose file a message's contact details are on: the clients with its e-mail and those with
    its phone (at most two each: one, or "several"). ``client`` is the one client they point at;
    the lists say why there is none (no file has them, several share one, or the phone is one
    client's and the e-mail another's)."""

    by_email: list[Client]
    by_phone: list[Client]

    @property
    def clients(self) -> list[Client]:
        return list({c.pk: c for c in [*self.by_email, *self.by_phone]}.values())

    @property
    def client(self) -> Client | None:
        found = self.clients
        return found[0] if len(found) == 1 else None

    @property
    def phone_and_email_differ(self) -> bool:
        """The phone is one client's and the e-mail another's (each on exactly one file)."""
        return (
            len(self.by_email) == 1
            and len(self.by_phone) == 1
            and self.by_email[0].pk != self.by_phone[0].pk
        )


def contact_matches(*, email: str = "", phone: str = "") -> ContactMatch:
    """The clients a message from outside the bank points at by its contact details (SPEC section
    6: an email by its sender's address, the web form by phone or e-mail). ``email`` is compared
    case-insensitively with the client's e-mail; ``phone`` is E.164
    (``core.phone.normalize_phone``) and compared with the stored form. Either may be empty.
    Unscoped: intake runs for no user and never shows the client to the sender."""
    clients = Client.objects.select_related("branch")
    by_email = list(clients.filter(email__iexact=email.strip())[:2]) if email.strip() else []
    by_phone = list(clients.filter(phone_normalized=phone)[:2]) if phone else []
    return ContactMatch(by_email=by_email, by_phone=by_phone)


def client_from_contact(*, email: str = "", phone: str = "") -> Client | None:
    """The one client a message from outside the bank comes from (``contact_matches``): the
    client when the details point at exactly one; None when they point at none or at several
    (two clients sharing an address or a phone, or the e-mail of one and the phone of another):
    the ticket is then unmatched and the feedback team triages it."""
    return contact_matches(email=email, phone=phone).client


def policy_in_force(day: date) -> VipPolicy:
    """``VipPolicy.in_force_on(day)`` for the pages that show it (the dossier's qualification,
    every at-risk badge, the home widget), kept a minute per day in this process
    (``core.memo``): a policy edited in admin shows within a minute. The nightly reclassification
    reads the policy itself."""
    return POLICIES_SHOWN.get(day, lambda: VipPolicy.in_force_on(day))


POLICIES_SHOWN = ProcessMemo(seconds=60)


def grace_days_in_force(day=None) -> int:
    """The grace period of today's policy (``policy_in_force``): every status badge shows days
    left."""
    return policy_in_force(day or timezone.localdate()).grace_days


def client_trades(*, client: Client):
    """A client's trades, newest first: the columns the dossier shows (dicts: ``executed_at``,
    ``trade_id``, ``account_no``, ``amount``), read by the ``(client_id, executed_at)`` index."""
    return client.trades.order_by("-executed_at", "-pk").values(
        "executed_at", "trade_id", "amount", account_no=F("account__account_no")
    )


def status_history(*, client: Client):
    return client.status_changes.select_related(
        "policy", "override", "override__created_by", "changed_by"
    )


def client_changes(*, client: Client):
    """The client's master-data history (``ClientChange``), newest first, with the staff user
    behind each change."""
    return client.changes.select_related("changed_by")


def accounts_with_latest_balance(*, client: Client):

    latest = Balance.objects.filter(account=OuterRef("pk")).order_by("-as_of")
    return (
        Account.objects.filter(client=client)
        .annotate(
            latest_balance=Subquery(latest.values("balance")[:1]),
            latest_as_of=Subquery(latest.values("as_of")[:1]),
        )
        .order_by("account_no")
    )


def asset_trend(*, client: Client, today, months: int = 12) -> list[tuple]:
    """Month-end total assets for the past ``months`` months and today: one query."""

    ends = []
    for back in range(months, 0, -1):
        d = months_before(today, back)
        ends.append(date(d.year, d.month, monthrange(d.year, d.month)[1]))
    ends.append(today)
    rows = (
        Balance.objects.filter(
            account__client=client, as_of__lte=today, as_of__gte=ends[0] - timedelta(days=400)
        )
        .order_by("account_id", "as_of")
        .values_list("account_id", "as_of", "balance")
    )
    by_account: dict[int, list] = {}
    for account_id, as_of, balance in rows:
        by_account.setdefault(account_id, []).append((as_of, balance))

    points = []
    for end in ends:
        total = Decimal("0")
        for series in by_account.values():
            latest = None
            for as_of, balance in series:
                if as_of <= end:
                    latest = balance
                else:
                    break
            if latest is not None:
                total += latest
        points.append((end, total))
    return points


def at_risk_clients_of_rm(*, user: User, limit: int = 10):

    return (
        Client.objects.filter(assigned_to(user), status=VipStatus.VIP_AT_RISK)
        .select_related("branch")
        .order_by("at_risk_since", "pk")[:limit]
    )


def status_changes_last_run():
    """Counts by transition for the latest day the reclassification changed anything."""

    last = StatusChange.objects.aggregate(day=Max("effective_on"))["day"]
    if last is None:
        return None, []
    rows = (
        StatusChange.objects.filter(effective_on=last)
        .values("from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return last, list(rows)
