"""Writes of the core app: staff accounts and roles, notifications, the audit trail."""

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.messages import Message, in_language
from core.models import Branch, Notification, User
from core.outbox import mail_enqueue
from core.roles import Role

logger = logging.getLogger(__name__)


@transaction.atomic
def roles_sync() -> None:
    """Create one group per role and give it exactly the permissions the apps declare.

    Apps declare ``role_permissions = {Role.X: ["app_label.codename", ...]}`` on their AppConfig.
    """
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted[Role(role).value].update(perms)
    for role_name, perm_names in wanted.items():
        group, _ = Group.objects.get_or_create(name=role_name)
        perms = []
        for name in sorted(perm_names):
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: Role,
    branch: Branch | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = User.Language.CHINESE,
) -> User:
    """Create (or update, so demo seeding is idempotent) a member of staff with one role."""
    user, created = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.branch = branch
    if created:
        user.language = language
    user.is_staff = role in (Role.ADMINISTRATOR,)
    user.is_superuser = role == Role.ADMINISTRATOR
    if password is not None and (created or not user.has_usable_password()):
        user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.set([group])
    user.__dict__.pop("role", None)
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in User.Language.values:
        raise ValueError(language)
    user.language = language
    user.save(update_fields=["language"])
    return user


def notification_create(
    *,
    recipients: Iterable[User],
    title: Message,
    body: Message = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    dedupe_key: str = "",
    email: bool = False,
) -> list[Notification]:
    """Notify staff in the app (and by email when asked, through the outbox: see
    ``core.outbox.mail_enqueue``). With a ``dedupe_key`` each recipient is notified at most once
    for that key, even when two jobs race; the e-mail goes only to those notified now.

    ``title`` and ``body`` are written for each recipient in that recipient's language
    (``core.messages.in_language``): give a lazy message or a function that formats the text,
    never text already translated in the sender's language. Recipients who read the same text
    share one e-mail."""
    created: list[Notification] = []
    for recipient in {r.pk: r for r in recipients}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=recipient,
                        title=Truncator(in_language(recipient.language, title)).chars(
                            Notification.TITLE_MAX_LENGTH
                        ),
                        body=in_language(recipient.language, body),
                        url=url,
                        level=level,
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:
            continue
    if email:
        # Through the outbox, in the caller's transaction: sent by a job after commit, never by
        # this call, so a rollback sends nothing and a mail server outage loses nothing. One
        # mail per wording: each recipient reads it in their own language.
        readers: dict[tuple[str, str], list[str]] = {}
        for note in created:
            if note.recipient.email:
                readers.setdefault((note.title, note.body), []).append(note.recipient.email)
        for (subject, text), addresses in readers.items():
            mail_enqueue(to=addresses, subject=subject, body=text)
    return created


@transaction.atomic
def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def filters_used(params) -> list[str]:
    """The names of the non-empty parameters of a list or export, for its audit record: never
    their values, which may be a searched phone or ID number (issue 13)."""
    return sorted(key for key, value in params.items() if value and key != "page")


def audit_record(
    *,
    actor: User | None,
    event: str,
    instance: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    about: type[models.Model] | None = None,
) -> LogEntry:
    """Append an access-type entry (a dossier viewed, PII revealed, an export, an import) to the
    audit log. The entry is logged against ``instance``, else the actor; a command run (no actor,
    no single object) against the model type ``about``. Changes to registered models are logged
    by django-auditlog itself."""
    target = instance if instance is not None else actor
    if target is None:
        if about is None:
            raise ValueError("audit_record needs an instance, an actor or a model type")
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(about),
            object_pk="",
            object_repr=event,
            action=LogEntry.Action.ACCESS,
            changes_text=event,
            additional_data={"event": event, **(detail or {})},
        )
    return LogEntry.objects.log_create(
        target,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        changes_text=event,
        additional_data={"event": event, **(detail or {})},
    )


def audit_record_with_read(
    *, actor: User | None, event: str, instance: models.Model | None = None
) -> LogEntry:
    """The audit entry of a read (SPEC section 10: every dossier view), written inside the
    caller's transaction so the read and its record commit together: the request pays no commit
    of its own for the audit. On PostgreSQL that transaction commits without waiting for its WAL
    flush (``synchronous_commit`` off for it alone, SPEC section 11: the flush was the dearest
    part of a dossier view). The entry is in the database, visible to everyone, before the
    response leaves: killing the application process after the response loses nothing; a crash
    of the PostgreSQL server itself within ~0.6 s (3 x ``wal_writer_delay``) could.

    Raises ``TransactionManagementError`` outside ``transaction.atomic``: a record that committed
    on its own would bring the synchronous commit back."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "audit_record_with_read() belongs inside the read's transaction.atomic()"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    return audit_record(actor=actor, event=event, instance=instance)


# --- Second factor (issue 13) ----------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """A code's outcome: ``device`` when it was accepted, else ``failure`` ("wrong", "replayed":
    a code already used, "throttled": too soon after wrong ones, then ``retry_in`` seconds)."""

    device: TOTPDevice | None = None
    failure: str = ""
    retry_in: int = 0


def _code_check(device: TOTPDevice, token: str) -> CodeCheck:
    """Verify ``token`` on ``device`` (locked by the caller) with django-otp's own rules: the time
    window (+-1 step), no code of a step at or before the last accepted one, and the back-off
    after wrong codes (1, 2, 4 ... seconds, settings.OTP_TOTP_THROTTLE_FACTOR)."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = (data or {}).get("locked_until")
        seconds = max(1, math.ceil((wait - timezone.now()).total_seconds())) if wait else 1
        return CodeCheck(failure="throttled", retry_in=seconds)
    if device.verify_token(token):
        return CodeCheck(device=device)
    # Refused: say "already used" when the code is right for the window but its step was spent.
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    replayed = token.isdigit() and totp.verify(int(token), device.tolerance)
    return CodeCheck(failure="replayed" if replayed else "wrong")


def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator device for ``user`` with a fresh random secret (an earlier
    unconfirmed one is dropped). It counts only once ``two_factor_enrolment_confirm`` accepts a
    code from it; until then the password alone still signs the user in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def two_factor_enrolment_confirm(*, user: User, token: str) -> CodeCheck:
    """Confirm the pending device with a code from the app: it replaces any earlier device, and
    from now on the user's sign-in asks for a code (audited "two_factor.enrolled"). A refused code
    changes nothing but the device's back-off. Returns the ``CodeCheck``; no pending device is a
    "wrong" outcome."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return CodeCheck(failure="wrong")
    check = _code_check(device, token)
    if check.device is not None:
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, event="two_factor.enrolled", instance=user)
    return check


def two_factor_code_verify(*, user: User, token: str) -> CodeCheck:
    """Check the code given at sign-in against the user's confirmed device. A refusal is audited
    ("two_factor.code_refused" with the reason, never the code) and committed even though the
    sign-in stops there."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        check = _code_check(device, token) if device else CodeCheck(failure="wrong")
    if check.device is None:
        audit_record(
            actor=None,
            event="two_factor.code_refused",
            instance=user,
            detail={"reason": check.failure},
        )
    return check


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> int:
    """Remove ``user``'s authenticator devices (a lost phone): the next sign-in is by password,
    and the user may enrol again. Audited "two_factor.reset" with the administrator as actor.
    Returns how many devices were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, event="two_factor.reset", instance=user, detail={"devices": removed})
    return removed
