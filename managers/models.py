from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clients.models import Client
from core.models import Branch


class RmStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    REJECTED = "rejected", pgettext_lazy("candidate", "Rejected")


class RelationshipManager(models.Model):
    """A relationship manager (客户经理), from candidate to active RM. An active RM has a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rm_profile",
    )
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="rms"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    years_experience = models.PositiveIntegerField(_("years of experience"), default=0)
    certifications = models.CharField(_("certifications"), max_length=300, blank=True)
    communication_score = models.PositiveSmallIntegerField(
        _("communication score"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1–5, from the interview"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RmStatus.choices, default=RmStatus.CANDIDATE
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=50)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("relationship manager")
        verbose_name_plural = _("relationship managers")
        indexes = [models.Index(fields=["branch", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"


class RmSelectionPolicy(models.Model):
    """Selection criteria for RM candidates (SPEC section 4), effective-dated."""

    effective_from = models.DateField(_("effective from"), unique=True)
    min_years_experience = models.PositiveIntegerField(_("minimum years of experience"), default=3)
    min_communication_score = models.PositiveSmallIntegerField(
        _("minimum communication score"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    default_capacity = models.PositiveIntegerField(_("default capacity"), default=50)
    training_valid_months = models.PositiveIntegerField(_("training valid (months)"), default=12)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("RM selection policy")
        verbose_name_plural = _("RM selection policies")

    def __str__(self) -> str:
        return str(self.effective_from)


class TrainingCourse(models.Model):
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    cost_per_attendee = models.DecimalField(
        _("cost per attendee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("3000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        # The form and the service check too; the database has the last word for any other path.
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(cost_per_attendee__gte=0),
                name="training_course_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class TrainingResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", pgettext_lazy("training result", "Failed")
    ABSENT = "absent", _("Absent")
    ENROLLED = "enrolled", _("Enrolled")


class TrainingRecord(models.Model):
    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("course"), on_delete=models.CASCADE, related_name="records"
    )
    rm = models.ForeignKey(
        RelationshipManager,
        verbose_name=_("relationship manager"),
        on_delete=models.CASCADE,
        related_name="training_records",
    )
    result = models.CharField(
        _("result"), max_length=10, choices=TrainingResult.choices, default=TrainingResult.ENROLLED
    )
    score = models.PositiveSmallIntegerField(
        pgettext_lazy("training result", "score"), null=True, blank=True
    )

    class Meta:
        ordering = ["-course__held_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.UniqueConstraint(fields=["course", "rm"], name="training_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.rm_id} {self.course_id} {self.result}"


class Assignment(models.Model):
    """A client's dedicated RM over a period. At most one open assignment per client, enforced by
    the database so two concurrent assignments cannot both succeed."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="assignments"
    )
    rm = models.ForeignKey(
        RelationshipManager,
        verbose_name=_("relationship manager"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    handover_note = models.TextField(_("handover note"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.CharField(_("end reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_at__isnull=True),
                name="one_active_rm_per_client",
            )
        ]
        indexes = [models.Index(fields=["rm", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.rm_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    # Codes the system writes into reason / end_reason, shown in the reader's language.
    SYSTEM_REASONS = {
        "auto": _("Automatic assignment"),
        "downgraded": _("Client downgraded to standard"),
        "reassigned": _("Reassigned"),
    }

    @property
    def reason_label(self) -> str:
        return self.SYSTEM_REASONS.get(self.reason, self.reason)

    @property
    def end_reason_label(self) -> str:
        return self.SYSTEM_REASONS.get(self.end_reason, self.end_reason)


class Shift(models.Model):
    """An on-call shift (值班) of the 24-hour hotline rota. Shifts may overlap."""

    rm = models.ForeignKey(
        RelationshipManager,
        verbose_name=_("relationship manager"),
        on_delete=models.CASCADE,
        related_name="shifts",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.rm_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
