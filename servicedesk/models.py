"""The service process of SPEC section 5: hotline calls, monthly call-backs, wealth plans with
suitability, VIP events."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client, RiskLevel
from core.masking import mask_phone


def risk_rank(level: str) -> int:
    """R1 → 1 … R5 → 5: risk levels compare by their number."""
    return int(level[1:])


# --- Hotline -------------------------------------------------------------------------------------


class AnsweredBy(models.TextChoices):
    OWN_RM = "own_rm", _("Own RM on shift")
    ON_CALL = "on_call", _("On-call RM")
    UNCOVERED = "uncovered", _("Uncovered")


class CallTopic(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry")
    TRANSACTION = "transaction", _("Transaction help")
    WEALTH = "wealth", _("Wealth management")
    COMPLAINT = "complaint", _("Complaint")
    EVENT = "event", _("Events and offers")
    OTHER = "other", _("Other")


class CallLog(models.Model):
    """One hotline call as taken: the number as dialled, the client it matched (none for an
    unknown caller), who took it and who should have answered at that moment."""

    called_at = models.DateTimeField(_("called at"), default=timezone.now, db_index=True)
    phone = models.CharField(_("phone (as dialled)"), max_length=40)
    phone_normalized = models.CharField(_("phone"), max_length=32, db_index=True)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="calls_handled",
    )
    answered_by_kind = models.CharField(_("who answers"), max_length=10, choices=AnsweredBy.choices)
    answered_by_rm = models.ForeignKey(
        "managers.RelationshipManager",
        verbose_name=_("answering RM"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=12, choices=CallTopic.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        indexes = [models.Index(fields=["client", "called_at"])]

    def __str__(self) -> str:
        # Masked: this text is also the audit log's object description (no PII there).
        return f"{self.called_at:%Y-%m-%d %H:%M} {mask_phone(self.phone_normalized)}"

    @property
    def is_uncovered(self) -> bool:
        return self.answered_by_kind == AnsweredBy.UNCOVERED


# --- Monthly call-backs ----------------------------------------------------------------------------


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    RETRY = "retry", _("Retry")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


# A call-back is completed once the client was reached or declined; "not reached" keeps it open.
COMPLETED_CALLBACK_STATUSES = (CallbackStatus.DONE, CallbackStatus.DECLINED)


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    DECLINED = "declined", _("Declined")


class CallbackQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def open(self):
        return self.filter(completed_at__isnull=True)

    def overdue(self, *, today: date):
        return self.open().filter(due_on__lt=today)


class Callback(models.Model):
    """The monthly call-back (定期回访) of one VIP: one per calendar month, due by month end."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="callbacks"
    )
    rm = models.ForeignKey(
        "managers.RelationshipManager",
        verbose_name=_("relationship manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    period = models.DateField(_("month"), help_text=_("First day of the month"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CallbackStatus.choices,
        default=CallbackStatus.PENDING,
        db_index=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=CallbackOutcome.choices, blank=True
    )
    retry_on = models.DateField(_("retry on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    needs = models.TextField(_("client needs"), blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "client_id"]
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        constraints = [
            models.UniqueConstraint(fields=["client", "period"], name="callback_one_per_month"),
            models.CheckConstraint(
                condition=Q(satisfaction_score__isnull=True)
                | Q(satisfaction_score__gte=1, satisfaction_score__lte=5),
                name="callback_score_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["rm", "completed_at", "due_on"]),
            models.Index(fields=["completed_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period:%Y-%m}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def is_overdue(self, today: date) -> bool:
        return not self.is_completed and self.due_on < today


# --- Wealth plans ----------------------------------------------------------------------------------


class Product(models.Model):
    """A product of the catalogue that a wealth plan may recommend."""

    code = models.CharField(_("product code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    risk_rating = models.CharField(_("risk rating"), max_length=2, choices=RiskLevel.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["risk_rating", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.risk_rating})"

    def suitability_problem(self, client_risk_level: str) -> str:
        """Why this product may not be recommended to a client of that risk level ('' if it may):
        a product rated above the client's risk level is unsuitable; equal is fine."""
        if risk_rank(self.risk_rating) > risk_rank(client_risk_level):
            return _(
                "Product %(code)s: product risk rating %(product)s is above the client's "
                "risk level %(client)s"
            ) % {"code": self.code, "product": self.risk_rating, "client": client_risk_level}
        return ""


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRESENTED = "presented", _("Presented")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# The status flow: a draft is presented; the client accepts or declines it (or it goes back for
# rework); a declined plan may be reworked as a draft. Accepted is final: a review makes a new plan.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.PRESENTED}),
    PlanStatus.PRESENTED: frozenset({PlanStatus.ACCEPTED, PlanStatus.DECLINED, PlanStatus.DRAFT}),
    PlanStatus.ACCEPTED: frozenset(),
    PlanStatus.DECLINED: frozenset({PlanStatus.DRAFT}),
}
EDITABLE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.PRESENTED)


class WealthPlan(models.Model):
    """A personalised wealth plan (个性化理财方案) for one client."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="wealth_plans"
    )
    rm = models.ForeignKey(
        "managers.RelationshipManager",
        verbose_name=_("relationship manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wealth_plans",
    )
    goals = models.TextField(_("goals"))
    horizon_months = models.PositiveIntegerField(
        _("horizon (months)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    risk_level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    advice = models.TextField(_("investment advice"), blank=True)
    products = models.ManyToManyField(
        Product,
        verbose_name=_("recommended products"),
        through="PlanProduct",
        related_name="plans",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("wealth plan")
        verbose_name_plural = _("wealth plans")
        indexes = [models.Index(fields=["rm", "next_review_on"])]

    def __str__(self) -> str:
        return f"{self.client_id} #{self.pk}"

    def can_become(self, status: str) -> bool:
        return status in PLAN_TRANSITIONS[self.status]

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATUSES


class AssetClass(models.TextChoices):
    CASH = "cash", _("Cash and deposits")
    FIXED_INCOME = "fixed_income", _("Fixed income")
    EQUITY = "equity", _("Equities")
    ALTERNATIVES = "alternatives", _("Alternatives")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other")


class PlanAllocation(models.Model):
    plan = models.ForeignKey(
        WealthPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="allocations"
    )
    asset_class = models.CharField(_("asset class"), max_length=15, choices=AssetClass.choices)
    percent = models.DecimalField(
        _("percent"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["plan", "-percent"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "asset_class"], name="allocation_once_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset_class} {self.percent}%"


class PlanProduct(models.Model):
    plan = models.ForeignKey(WealthPlan, on_delete=models.CASCADE, related_name="plan_products")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("recommended product")
        verbose_name_plural = _("recommended products")
        constraints = [
            models.UniqueConstraint(fields=["plan", "product"], name="plan_product_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.product_id}"


# --- Events ----------------------------------------------------------------------------------------


class Event(models.Model):
    """A VIP event or offer (专属活动); its cost feeds the budget's other-costs line."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    held_on = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    cost = models.DecimalField(
        _("cost"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class Rsvp(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Invitation(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="invitations"
    )
    rsvp = models.CharField(_("RSVP"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    attended = models.BooleanField(_("attended"), default=False)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)

    class Meta:
        ordering = ["event", "client_id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "client"], name="invitation_once_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.client_id}"
