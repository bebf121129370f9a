"""Reads of the core app."""

import base64
import io
from base64 import b32encode

import segno
from django.contrib.auth.models import Group
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# --- Second factor (issue 13) ----------------------------------------------------------------------


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator (TOTP) device, or None: then the password suffices."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_pending_device(*, user: User) -> TOTPDevice | None:
    """The device an enrolment started and its first code has not confirmed yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def two_factor_passed(*, user: User) -> bool:
    """The user signed in with their device's code in this session, or has no device (Django
    admin's test; needs django_otp's OTPMiddleware)."""
    # OTPMiddleware gives every request's user is_verified(); a user loaded elsewhere has none.
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) or two_factor_device(user=user) is None


def totp_secret(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it typed: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as a QR code: an SVG drawn on the server (segno), returned as a
    ``data:`` URI for an <img> (the CSP allows data: images; no script draws it)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
