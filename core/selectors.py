"""Reads of the core app."""

from django.db.models import QuerySet

from core.models import Notification, User
from core.roles import Role


def notifications_for(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)[:limit]


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def users_with_role(*roles: Role) -> QuerySet[User]:
    """Active users holding any of ``roles`` (administrators are superusers, not a group)."""
    names = [r.value for r in roles]
    return User.objects.filter(is_active=True, groups__name__in=names).distinct()


def supervisors() -> QuerySet[User]:
    return users_with_role(Role.SUPERVISOR)
