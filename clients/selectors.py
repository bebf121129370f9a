"""Reads of clients, scoped by who is asking (SPEC section 1).

- Supervisors and administrators: every client.
- Relationship managers: their assigned clients; while on an on-call shift, every VIP client too
  (they may be the one who answers the hotline for anyone).
- Branch staff: the clients of their own branch (PII masked).
- Feedback team and users without a role: no client list or dossier (the feedback queue shows the
  client header from the ticket).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from clients.models import VIP_STATUSES, Client
from core.models import User
from core.roles import Role


def clients_for_user(*, user: User) -> QuerySet[Client]:
    from managers.models import Assignment, Shift

    base = Client.objects.select_related("branch")
    role = user.role
    if role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        return base
    if role == Role.BRANCH_STAFF:
        return base.filter(branch_id=user.branch_id) if user.branch_id else base.none()
    if role == Role.RELATIONSHIP_MANAGER:
        now = timezone.now()
        mine = Exists(
            Assignment.objects.filter(
                client=OuterRef("pk"), ended_at__isnull=True, rm__user_id=user.pk
            )
        )
        on_call = Shift.objects.filter(rm__user_id=user.pk, starts_at__lte=now, ends_at__gt=now)
        if on_call.exists():
            return base.filter(mine | Q(status__in=VIP_STATUSES))
        return base.filter(mine)
    return base.none()


def client_for_user(*, user: User, pk: int) -> Client:
    """The one access helper for a single client: 404 when outside the user's scope."""
    client = clients_for_user(user=user).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def user_sees_pii(*, user: User, client: Client) -> bool:
    """Unmasked ID number and phone: the client's own RM, supervisors and administrators."""
    if user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        return True
    if user.role != Role.RELATIONSHIP_MANAGER:
        return False
    from managers.models import Assignment

    return Assignment.objects.filter(
        client=client, ended_at__isnull=True, rm__user_id=user.pk
    ).exists()
