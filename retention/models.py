from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from managers.models import RelationshipManager


class WarningReason(models.TextChoices):
    ASSETS_FELL = "assets_fell", _("Assets fell sharply")
    NEAR_THRESHOLD = "near_threshold", _("Assets near the threshold")
    TRADES_LAPSE = "trades_lapse", _("Trades will fall below the minimum")
    # Not from the nightly warning: a survey or call-back score of 1 or 2 (issue 14).
    UNHAPPY = "unhappy", _("Unhappy client")


class TaskOutcome(models.TextChoices):
    RETAINED = "retained", _("Client retained")
    PLAN_AGREED = "plan_agreed", _("Plan agreed with the client")
    NOT_REACHED = "not_reached", _("Client not reached")
    LEAVING = "leaving", _("Client is leaving")


class RetentionTask(models.Model):
    """A retention task for a VIP's RM, raised by the nightly early warning with the reason and
    the figures behind it, closed by the RM with an outcome. One open task per client and reason:
    a warning that persists does not raise a second task."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    rm = models.ForeignKey(
        RelationshipManager,
        verbose_name=_("relationship manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=WarningReason.choices)
    # {"now": "…", "before": "…", "threshold": "…", "percent": …, "trades_kept": …} as text
    figures = models.JSONField(_("figures"), default=dict)
    raised_on = models.DateField(_("raised on"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=TaskOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["raised_on", "pk"]
        verbose_name = _("retention task")
        verbose_name_plural = _("retention tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reason"],
                condition=Q(closed_at__isnull=True),
                name="retention_one_open_task_per_reason",
            )
        ]
        indexes = [models.Index(fields=["rm", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.reason} {self.raised_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
