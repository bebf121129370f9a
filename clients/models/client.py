"""The client, their accounts, balances and trades (SPEC section 2)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
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
