"""The programme's plan as data (SPEC section 7): targets, budget, entered costs, the rollout
milestones, and the nightly KPI snapshots. Everything here is editable in Django admin.

A year without its own rows uses the defaults below (``analytics.selectors.targets_for`` and
``budget_plan_for``), so the plan applies to every year until an administrator changes it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_RATE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class ProgrammeTargets(models.Model):
    """KPI targets and the plan's assumptions for one year.

    The plan's "churn losses avoided = 120,000" is not stored as a number: it follows from the
    plan's assumptions, ``planned_vip_base`` (100 VIPs on 1 January) × ``baseline_churn_rate``
    (20%) × ``churn_reduction_target`` (20%, so churn falls to 16%) × ``average_annual_revenue``
    (30,000) = 120,000, the same formula the actual return uses with actual figures."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    satisfaction_target = models.DecimalField(
        _("satisfaction rate target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9000"),
        validators=_RATE,
    )
    churn_reduction_target = models.DecimalField(
        _("churn reduction target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=_RATE,
    )
    new_vips_target = models.PositiveIntegerField(_("new VIPs target"), default=20)
    sla_met_target = models.DecimalField(
        _("SLA met rate target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9500"),
        validators=_RATE,
    )
    callback_completion_target = models.DecimalField(
        _("call-back completion target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9500"),
        validators=_RATE,
    )
    average_annual_revenue = models.DecimalField(
        _("average annual revenue per VIP"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("30000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    baseline_churn_rate = models.DecimalField(
        _("baseline churn rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=_RATE,
        help_text=_("Stands in for the previous year's churn when that year has no VIPs."),
    )
    planned_vip_base = models.PositiveIntegerField(
        _("planned VIPs on 1 January"),
        default=100,
        help_text=_("The plan's assumption behind the churn losses avoided."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme targets")
        verbose_name_plural = _("programme targets")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def planned_churn_losses_avoided(self) -> Decimal:
        return (
            self.planned_vip_base
            * self.baseline_churn_rate
            * self.churn_reduction_target
            * self.average_annual_revenue
        ).quantize(Decimal("0.01"))

    @property
    def churn_rate_target(self) -> Decimal:
        return (self.baseline_churn_rate * (1 - self.churn_reduction_target)).quantize(
            Decimal("0.0001")
        )


class BudgetLineKind(models.TextChoices):
    TRAINING = "training", _("Training")
    SYSTEM_DEVELOPMENT = "system_development", _("System development")
    MARKET_RESEARCH = "market_research", _("Market research")
    OTHER_COSTS = "other_costs", _("Other costs (events)")


DEFAULT_BUDGET = {
    BudgetLineKind.TRAINING: Decimal("30000.00"),  # 10 RMs × 3,000
    BudgetLineKind.SYSTEM_DEVELOPMENT: Decimal("50000.00"),
    BudgetLineKind.MARKET_RESEARCH: Decimal("20000.00"),
    BudgetLineKind.OTHER_COSTS: Decimal("10000.00"),
}


class BudgetLine(models.Model):
    year = models.PositiveIntegerField(_("year"))
    line = models.CharField(_("budget line"), max_length=20, choices=BudgetLineKind.choices)
    planned_amount = models.DecimalField(
        _("planned amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["year", "line"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.UniqueConstraint(fields=["year", "line"], name="budget_line_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_line_display()}"


class CostEntry(models.Model):
    """A cost entered by hand (system development, market research, anything not recorded by
    training records or events)."""

    year = models.PositiveIntegerField(_("year"))
    line = models.CharField(_("budget line"), max_length=20, choices=BudgetLineKind.choices)
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.CharField(_("description"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")
        indexes = [models.Index(fields=["year", "line"])]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.get_line_display()} {self.amount}"

    def clean(self) -> None:
        if self.spent_on and self.year and self.spent_on.year != self.year:
            raise ValidationError({"spent_on": _("The date must fall in the entry's year.")})


class Phase(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    VIP_IDENTIFICATION = "vip_identification", _("VIP identification")
    RM_SELECTION = "rm_selection", _("RM selection and training")
    SERVICE_PROCESS = "service_process", _("Service process")
    FEEDBACK_CHANNELS = "feedback_channels", _("Feedback channels")
    ANALYSIS = "analysis", _("Analysis and continuous improvement")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("milestone status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("milestone status", "In progress")
    DONE = "done", _("Done")
    LATE = "late", pgettext_lazy("milestone status", "Late")


class Milestone(models.Model):
    """One phase of the rollout plan, in calendar months of ``year``."""

    year = models.PositiveIntegerField(_("year"))
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    start_month = models.PositiveSmallIntegerField(
        _("start month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("end month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["year", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["year", "phase"], name="milestone_phase_once"),
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="milestone_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_phase_display()}"

    def expected_status(self, today) -> str:
        """The status the calendar implies on ``today`` (what the demo shows; staff set the
        real one): done after the end month, in progress inside it, planned before it."""
        month = (today.year - self.year) * 12 + today.month
        if month > self.end_month:
            return MilestoneStatus.DONE
        if month >= self.start_month:
            return MilestoneStatus.IN_PROGRESS
        return MilestoneStatus.PLANNED

    def is_overdue(self, today) -> bool:
        month = (today.year - self.year) * 12 + today.month
        return self.status != MilestoneStatus.DONE and month > self.end_month


# The rollout plan: (phase, start month, end month); analysis runs from month 5 on.
DEFAULT_MILESTONES = [
    (Phase.PREPARATION, 1, 1),
    (Phase.VIP_IDENTIFICATION, 2, 2),
    (Phase.RM_SELECTION, 2, 3),
    (Phase.SERVICE_PROCESS, 3, 4),
    (Phase.FEEDBACK_CHANNELS, 4, 4),
    (Phase.ANALYSIS, 5, 12),
]


class KpiSnapshot(models.Model):
    """The year-to-date figures as the nightly job saw them on ``date`` (one row per day)."""

    date = models.DateField(_("date"), unique=True)
    year = models.PositiveIntegerField(_("year"), db_index=True)
    figures = models.JSONField(_("figures"), default=dict)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")

    def __str__(self) -> str:
        return str(self.date)
