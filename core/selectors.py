"""Reads of the core app."""

from django.contrib.auth.models import Group
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from core.models import Notification, User
from core.roles import PRECEDENCE, Role


def notifications_for(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)[:limit]


def unread_notification_count(*, user: User) -> int:
    """Unread notifications of ``user`` (the bell): the count read with the user at the start of
    the request when there is one (``user_for_request``), else one query."""
    # getattr, not __dict__: the request's user is a lazy proxy.
    counted = getattr(user, "unread_count", None)
    if counted is not None:
        return counted
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def user_for_request(*, pk) -> User | None:
    """The signed-in user of a request with everything every page's frame shows, in one query
    (SPEC section 11): the branch (``select_related``), the role's group (``role_group``: the
    first group of ``core.roles.PRECEDENCE`` held, or None; ``User.role`` reads it) and the
    unread notifications (``unread_count``, as of the start of the request). None when no user
    has ``pk``."""
    rank = Case(
        *(When(name=role.value, then=Value(i)) for i, role in enumerate(PRECEDENCE)),
        output_field=IntegerField(),
    )
    role_group = (
        Group.objects.filter(user=OuterRef("pk"), name__in=[r.value for r in PRECEDENCE])
        .order_by(rank)
        .values("name")[:1]
    )
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.select_related("branch")
        .annotate(role_group=Subquery(role_group), unread_count=Coalesce(Subquery(unread), 0))
        .filter(pk=pk)
        .first()
    )


def users_with_role(*roles: Role) -> QuerySet[User]:
    """Active users holding any of ``roles`` (administrators are superusers, not a group)."""
    names = [r.value for r in roles]
    return User.objects.filter(is_active=True, groups__name__in=names).distinct()


def supervisors() -> QuerySet[User]:
    return users_with_role(Role.SUPERVISOR)
