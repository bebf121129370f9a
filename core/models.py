from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.roles import SERVICE_WIDE_ROLES, Role


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
        """The user's role: superusers are administrators; otherwise the highest group held."""
        if self.is_superuser:
            return Role.ADMINISTRATOR
        names = set(self.groups.values_list("name", flat=True))
        for role in (
            Role.ADMINISTRATOR,
            Role.SUPERVISOR,
            Role.FEEDBACK_TEAM,
            Role.RELATIONSHIP_MANAGER,
            Role.BRANCH_STAFF,
        ):
            if role.value in names:
                return role
        return None

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
    title = models.CharField(_("title"), max_length=200)
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
