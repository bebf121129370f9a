"""Reads of the core app."""

import base64
import io
from base64 import b32encode
from functools import cache

import segno
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Branch, Notification, User
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


@cache
def _frame_sql() -> tuple[str, list[str]]:
    """The frame's query, written once per process from the models' columns (the ORM compiled
    its subqueries on every request: more Python than the four plain queries it replaced)."""
    quote = connection.ops.quote_name
    user_columns = [(f.attname, str(f.column)) for f in User._meta.concrete_fields]
    branch_columns = [(f.attname, str(f.column)) for f in Branch._meta.concrete_fields]
    rank = " ".join(f"WHEN '{role.value}' THEN {i}" for i, role in enumerate(PRECEDENCE))
    names = ", ".join(f"'{role.value}'" for role in PRECEDENCE)
    groups = User.groups.through
    group_table = groups._meta.get_field("group").related_model._meta.db_table
    sql = f"""
        SELECT {", ".join(f"u.{quote(column)}" for _, column in user_columns)},
               {", ".join(f"b.{quote(column)} AS {quote('branch__' + a)}" for a, column in branch_columns)},
               (SELECT g.name FROM {quote(group_table)} g
                JOIN {quote(groups._meta.db_table)} ug ON ug.group_id = g.id
                WHERE ug.user_id = u.id AND g.name IN ({names})
                ORDER BY CASE g.name {rank} END LIMIT 1) AS role_group,
               (SELECT COUNT(*) FROM {quote(Notification._meta.db_table)} n
                WHERE n.recipient_id = u.id AND n.read_at IS NULL) AS unread_count
        FROM {quote(User._meta.db_table)} u
        LEFT JOIN {quote(Branch._meta.db_table)} b ON b.id = u.branch_id
        WHERE u.id = %s
    """
    return sql, [a for a, _ in branch_columns]


def user_for_request(*, pk) -> User | None:
    """The signed-in user of a request with everything every page's frame shows, in one query
    (SPEC section 11): the branch, the role's group (``role_group``: the first group of
    ``core.roles.PRECEDENCE`` held, or None; ``User.role`` reads it) and the unread notifications
    (``unread_count``, as of the start of the request). None when no user has ``pk`` (or it is
    not a number)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    sql, branch_fields = _frame_sql()
    # A raw query: the model's own columns are converted as the ORM converts them; the others
    # (the branch's, the role's group, the count) come as attributes.
    user = next(iter(User.objects.raw(sql, [pk])), None)
    if user is None:
        return None
    values = [getattr(user, f"branch__{name}") for name in branch_fields]
    user.branch = (
        Branch.from_db(DEFAULT_DB_ALIAS, branch_fields, values)
        if user.branch_id is not None
        else None
    )
    return user


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
