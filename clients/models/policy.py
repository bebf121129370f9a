"""The VIP rule's versions, supervisors' overrides and the status history (SPEC section 3)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.actors import actor_display

from .client import Client, ClientKind, VipStatus


class AssetMeasure(models.TextChoices):
    """How a policy version measures the asset criterion (SPEC section 3)."""

    LATEST = "latest", _("Latest balance")
    PREVIOUS_MONTH = "avg_previous_month", _("Average daily assets, previous calendar month")
    LAST_DAYS = "avg_last_days", _("Average daily assets, last N days")


def validate_review_dates(value: str) -> None:
    """``MM-DD`` days separated by commas, e.g. ``06-30,12-31`` (29 February is refused: it
    would make a review date that most years do not have)."""
    for part in (p.strip() for p in value.split(",") if p.strip()):
        try:
            month, day = (int(x) for x in part.split("-"))
            date(2023, month, day)
        except ValueError:
            raise ValidationError(
                _("%(value)s is not a day of the year as MM-DD (e.g. 06-30)."),
                params={"value": part},
            ) from None


class VipPolicy(models.Model):
    """The qualification rule's numbers (SPEC section 3), effective-dated: the policy in force on D
    is the one with the latest ``effective_from <= D``."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    personal_asset_threshold = models.DecimalField(
        _("personal asset threshold"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("1000000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    corporate_asset_threshold = models.DecimalField(
        _("corporate asset threshold"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("5000000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_trades = models.PositiveIntegerField(_("minimum trades"), default=5)
    activity_months = models.PositiveIntegerField(_("activity window (months)"), default=3)
    min_relationship_years = models.PositiveIntegerField(
        _("minimum relationship (years)"), default=1
    )
    grace_days = models.PositiveIntegerField(_("grace period (days)"), default=90)
    asset_measure = models.CharField(
        _("asset measure"),
        max_length=20,
        choices=AssetMeasure.choices,
        default=AssetMeasure.LATEST,
        help_text=_(
            "Average daily assets (日均资产) carry each account's balance forward from the last "
            "known day; days before an account's first balance count as zero."
        ),
    )
    average_days = models.PositiveIntegerField(
        _("days averaged"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("For the last-N-days average: the N days ending on the business date."),
    )
    review_dates = models.CharField(
        _("review dates"),
        max_length=100,
        blank=True,
        validators=[validate_review_dates],
        help_text=_(
            "Days (MM-DD, comma-separated, e.g. 06-30,12-31) on which downgrades take effect, "
            "the grace period still applying. Empty: downgrades take effect any day."
        ),
    )
    warning_drop_percent = models.PositiveIntegerField(
        _("early warning: asset fall (%)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    warning_drop_days = models.PositiveIntegerField(
        _("early warning: fall measured over (days)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    warning_near_percent = models.PositiveIntegerField(
        _("early warning: near a threshold (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
    )
    warning_trades_days = models.PositiveIntegerField(
        _("early warning: trades fall below the minimum within (days)"),
        default=14,
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("VIP policy")
        verbose_name_plural = _("VIP policies")

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_from})"

    @classmethod
    def in_force_on(cls, day: date) -> "VipPolicy":
        policy = cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
        if policy is None:
            # The data migration creates one from 2000-01-01; an unsaved default keeps the rule
            # working if an administrator deleted every policy.
            return cls(version="default", effective_from=date(2000, 1, 1))
        return policy

    def review_days(self) -> list[tuple[int, int]]:
        """The review dates as (month, day) pairs; empty when downgrades take effect any day."""
        return [
            (int(m), int(d))
            for m, d in (p.strip().split("-") for p in self.review_dates.split(",") if p.strip())
        ]

    def asset_threshold_for(self, kind: str) -> Decimal:
        if kind == ClientKind.CORPORATE:
            return self.corporate_asset_threshold
        return self.personal_asset_threshold


class StatusOverride(models.Model):
    """A supervisor's manual status (人工调整): the nightly run keeps it until ``ends_on``."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="overrides"
    )
    status = models.CharField(_("status"), max_length=12, choices=VipStatus.choices)
    reason = models.TextField(_("reason"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("status override")
        verbose_name_plural = _("status overrides")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="override_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.status} ({self.starts_on}–{self.ends_on})"

    def is_active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class StatusChange(models.Model):
    """One row of a client's VIP status history, with the reasons the rule gave."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="status_changes"
    )
    effective_on = models.DateField(_("date"), db_index=True)
    from_status = models.CharField(_("from"), max_length=12, choices=VipStatus.choices)
    to_status = models.CharField(
        pgettext_lazy("status change", "to"), max_length=12, choices=VipStatus.choices
    )
    # {"assets": {"value": "...", "threshold": "...", "passed": true}, "trades": {...}, ...}
    reasons = models.JSONField(_("reasons"), default=dict)
    policy = models.ForeignKey(
        VipPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, null=True, blank=True
    )
    override = models.ForeignKey(
        StatusOverride,
        verbose_name=_("override"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Who wrote it (``core.actors``): ``system:reclassify_vips`` for the nightly run, the
    # supervisor who made an override happen (the approver under four eyes). "" on rows written
    # before the column existed.
    actor = models.CharField(_("by"), max_length=160, blank=True, db_default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        indexes = [
            models.Index(fields=["client", "effective_on"]),
            models.Index(fields=["to_status", "effective_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.effective_on}: {self.from_status} → {self.to_status}"

    @property
    def actor_name(self) -> str:
        return actor_display(self.actor, self.changed_by)
