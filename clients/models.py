from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actors import actor_display
from core.models import Branch
from core.phone import phone_key


class ClientKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    CORPORATE = "corporate", _("Corporate")


class VipStatus(models.TextChoices):
    STANDARD = "standard", _("Standard client")
    VIP = "vip", _("VIP client")
    VIP_AT_RISK = "vip_at_risk", _("VIP at risk")


VIP_STATUSES = (VipStatus.VIP, VipStatus.VIP_AT_RISK)


class RiskLevel(models.TextChoices):
    R1 = "R1", _("R1 conservative")
    R2 = "R2", _("R2 moderately conservative")
    R3 = "R3", _("R3 balanced")
    R4 = "R4", _("R4 moderately aggressive")
    R5 = "R5", _("R5 aggressive")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    APP = "app", _("Mobile app")
    BRANCH = "branch", _("Branch visit")
    WECHAT = "wechat", _("WeChat")


# A client's personal data that change records show masked (``core.masking.mask_audit_value``):
# the audit log's change records and the client's own change history alike (issue 13).
CLIENT_PII_FIELDS = ("id_number", "phone", "phone_normalized", "email")


class ClientQuerySet(models.QuerySet):
    def vips(self):
        return self.filter(status__in=VIP_STATUSES)


class Client(models.Model):
    """A client of the bank (客户) as the core banking system knows it, plus what the VIP service
    keeps about them (preferences, VIP status)."""

    client_no = models.CharField(_("client number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ClientKind.choices)
    id_number = models.CharField(_("ID number"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Digits only, without the +86 prefix: what the hotline looks a caller up by.
    phone_normalized = models.CharField(max_length=32, blank=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    # Indexed by (branch, status) below, which serves every branch look-up.
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="clients",
        db_index=False,
    )
    relationship_since = models.DateField(_("relationship since"))
    good_standing = models.BooleanField(_("good standing"), default=False)

    status = models.CharField(
        _("VIP status"),
        max_length=12,
        choices=VipStatus.choices,
        default=VipStatus.STANDARD,
    )
    vip_since = models.DateField(_("VIP since"), null=True, blank=True)
    # First day the client failed the rule while VIP; the 90-day grace counts from here.
    at_risk_since = models.DateField(_("at risk since"), null=True, blank=True)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    # Denormalised by the reclassification (assets as of the last evaluated day) so the client
    # list can show and sort by assets without summing balances for every row it pages over.
    total_assets = models.DecimalField(
        _("total assets"), max_digits=20, decimal_places=2, default=Decimal("0.00")
    )

    # Preferences (偏好)
    preferred_channel = models.CharField(
        _("preferred contact channel"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.PHONE,
    )
    contact_window_start = models.TimeField(_("contact window from"), null=True, blank=True)
    contact_window_end = models.TimeField(_("contact window to"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
    )
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=2, choices=RiskLevel.choices, default=RiskLevel.R3
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["client_no"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        # Every index is written by each nightly status change (SPEC section 11): none twice.
        # (branch, status) and (status, client_no) serve the branch and status look-ups; the
        # plain name, e-mail and phone indexes are declared here, not by db_index=True, which on
        # PostgreSQL adds a varchar_pattern_ops "_like" copy no query uses (searches go through
        # the UPPER(...) and trigram indexes of migrations 0006 and 0010; clients 0014 dropped
        # those copies, and client_no's).
        indexes = [
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["status", "client_no"]),
            models.Index(fields=["total_assets"]),
            models.Index(fields=["name"], name="clients_client_name_f798fa6e"),
            models.Index(fields=["email"], name="clients_client_email_29ccf6eb"),
            models.Index(fields=["phone_normalized"], name="clients_client_phone_norm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_no})"

    def save(self, *args, **kwargs):
        # A derived column kept in step with ``phone`` wherever a client is saved one by one;
        # bulk writes (the core-banking import) call ``core.phone.phone_key`` themselves.
        self.phone_normalized = phone_key(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_normalized"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:

        return reverse("clients:detail", args=[self.pk])

    @property
    def is_vip(self) -> bool:
        return self.status in VIP_STATUSES

    def grace_days_left(self, *, today: date, grace_days: int) -> int | None:
        """Days left before an at-risk VIP is downgraded (None unless at risk)."""
        if self.status != VipStatus.VIP_AT_RISK or self.at_risk_since is None:
            return None
        return max(grace_days - (today - self.at_risk_since).days, 0)


class Account(models.Model):
    account_no = models.CharField(_("account number"), max_length=40, unique=True)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="accounts"
    )

    class Meta:
        ordering = ["account_no"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.account_no


class Balance(models.Model):
    """One account's balance at the end of one day. A later ``as_of`` supersedes an earlier one."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="balances"
    )
    as_of = models.DateField(_("as of"))
    balance = models.DecimalField(_("balance"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["account", "-as_of"]
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of"], name="balance_one_per_account_day")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.balance}"


class Trade(models.Model):
    # The largest table (30M rows in the benchmark): every index costs the import. The unique
    # constraint (not unique=True) avoids PostgreSQL's extra varchar_pattern_ops "_like" index, and
    # the (client, executed_at) index below serves every lookup a plain client index would.
    trade_id = models.CharField(_("trade ID"), max_length=40)
    # No database constraint: a trade's client is its account's client, which the account's
    # foreign key already guarantees, and the import checks set-based; PostgreSQL would otherwise
    # check this key once per row at COMMIT (a third of the trades import's time). Django still
    # cascades a client's deletion to its trades (and the account's constraint does too).
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="trades",
        db_index=False,
        db_constraint=False,
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="trades"
    )
    executed_at = models.DateTimeField(_("executed at"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["-executed_at"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        indexes = [models.Index(fields=["client", "executed_at"])]
        constraints = [models.UniqueConstraint(fields=["trade_id"], name="trade_id_unique")]

    def __str__(self) -> str:
        return self.trade_id


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
    to_status = models.CharField(_("to"), max_length=12, choices=VipStatus.choices)
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


class ClientChange(models.Model):
    """One field of a client's master data changed by a write that has no form behind it (the
    core-banking import, issue 13): the old and the new value as text, PII masked as the audit
    masks it (``CLIENT_PII_FIELDS``), and who wrote it (``core.actors``)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # The import's column name ("branch" holds the branch code).
    field = models.CharField(_("field"), max_length=32)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    actor = models.CharField(_("by"), max_length=160)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("client data change")
        verbose_name_plural = _("client data changes")
        indexes = [models.Index(fields=["client", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.field} {self.changed_at:%Y-%m-%d}"

    @property
    def actor_name(self) -> str:
        return actor_display(self.actor, self.changed_by)

    @property
    def field_label(self) -> str:
        name = "branch" if self.field == "branch_code" else self.field
        try:
            return str(Client._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return self.field

    @property
    def old_display(self) -> str:
        return _value_display(self.field, self.old_value)

    @property
    def new_display(self) -> str:
        return _value_display(self.field, self.new_value)


def _value_display(field: str, value: str) -> str:
    """A stored history value as staff read it: labels for codes, yes/no for flags."""
    if field == "kind":
        return str(dict(ClientKind.choices).get(value, value))
    if field == "good_standing":
        return str(_("yes") if value == "true" else _("no"))
    return value or "—"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected, nothing written")
    FAILED = "failed", _("Failed, nothing written")


class CorebankingUpload(models.Model):
    """One core-banking file uploaded on the import page and imported by a worker, off the request
    (issue 11): what was asked, how far the import has read (its progress) and what it found."""

    kind = models.CharField(_("file"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    # The uploaded file, kept in Django's storage until the import has run, then deleted (it holds
    # client data; what it changed is in the audit log).
    file = models.FileField(_("file"), upload_to="corebanking/uploads/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("bytes"), default=0)
    # Line breaks in the file: the progress bar's denominator (a quoted field may span lines, so
    # rows read may end below it).
    lines = models.PositiveIntegerField(_("lines"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Written with each progress step: a run whose heartbeat stopped died with its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    encoding_used = models.CharField(_("encoding read"), max_length=20, blank=True)
    # The first bad rows, [[line, column, reason], ...]; errors_total counts them all.
    errors = models.JSONField(_("bad rows"), default=list, blank=True)
    errors_total = models.PositiveIntegerField(_("bad rows"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("core-banking upload")
        verbose_name_plural = _("core-banking uploads")

    def __str__(self) -> str:
        return f"{self.kind} {self.name} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("clients:import_run", args=[self.pk])

    @property
    def done(self) -> bool:
        return self.status not in (UploadStatus.QUEUED, UploadStatus.RUNNING)

    @property
    def percent(self) -> int:
        """How far the import has read, 0–100 (100 once it has finished)."""
        if self.done:
            return 100
        data_lines = max(self.lines - 1, 1)  # the header
        return min(99, self.rows_read * 100 // data_lines)
