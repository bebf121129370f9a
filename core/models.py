from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.roles import PRECEDENCE, SERVICE_WIDE_ROLES, Role


class Branch(models.Model):
    """A branch (网点) of the bank; clients, RMs and branch staff belong to one."""

    code = models.CharField(_("branch code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    """A member of staff. The role comes from the user's group; the branch scopes branch staff and
    RMs; the language is remembered across devices."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Chinese names read family name first with no space (张伟); others "Wei Zhang"."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any(ord(ch) > 0x2E80 for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @cached_property
    def role(self) -> Role | None:
        """The user's role: superusers are administrators; otherwise the highest group held
        (``core.roles.PRECEDENCE``). A user read by ``core.selectors.user_for_request`` carries
        it already (``role_group``, read in the same query): no query here then."""
        if self.is_superuser:
            return Role.ADMINISTRATOR
        if "role_group" in self.__dict__:
            return Role(self.role_group) if self.role_group else None
        names = set(self.groups.values_list("name", flat=True))
        return next((role for role in PRECEDENCE if role.value in names), None)

    @property
    def is_service_wide(self) -> bool:
        return self.role in SERVICE_WIDE_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one member of staff (the bell in the top bar)."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Urgent")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    TITLE_MAX_LENGTH = 200
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Lets a job say "notify once": a second notification with the same key for the same user is
    # refused by the constraint below.
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class JobRun(models.Model):
    """One run of a scheduled job for one period (SPEC section 8). The unique (job, period) pair
    makes a second run of the same period a no-op: two beats, a retry, a duplicate delivery."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60)
    period = models.CharField(_("period"), max_length=20)
    period_start = models.DateTimeField(_("period start"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    # The Celery message that runs it: a message handed back after its worker died comes again with
    # the same id, and may take over the run its first delivery left "running".
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="job_run_once_per_period")
        ]
        indexes = [models.Index(fields=["job", "outcome", "-period_start"])]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"


class OutboxMail(models.Model):
    """An e-mail written in the same transaction as the change it reports, sent by a job after
    commit. Sent at most once: a message is claimed before the send, and one claimed but not
    confirmed (the worker died during the send) is never sent again, only shown."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.JSONField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject
