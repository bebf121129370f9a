from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApprovalKind(models.TextChoices):
    """The exceptions SPEC section 4 puts under four eyes."""

    STATUS_OVERRIDE = "status_override", _("Status override")
    RM_REASSIGNMENT = "rm_reassignment", _("Reassignment of a VIP")
    POLICY_CHANGE = "policy_change", _("VIP policy change")


class ApprovalSetting(models.Model):
    """Whether a kind of change needs a second supervisor. A kind without a row needs one: four
    eyes is the default, an administrator switches it off per kind."""

    kind = models.CharField(_("kind"), max_length=30, choices=ApprovalKind.choices, unique=True)
    requires_approval = models.BooleanField(_("requires a second supervisor"), default=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("approval setting")
        verbose_name_plural = _("approval settings")

    def __str__(self) -> str:
        return self.get_kind_display()


class ProposalStatus(models.TextChoices):
    # A context of their own: "Pending" of an outbox message is another word in Chinese.
    PENDING = "pending", pgettext_lazy("proposal status", "Pending")
    APPROVED = "approved", pgettext_lazy("proposal status", "Approved")
    REJECTED = "rejected", pgettext_lazy("proposal status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")


class Proposal(models.Model):
    """A change waiting for (or decided by) a second supervisor. ``payload`` holds the arguments
    of the service that applies it; ``subject`` names what it is about for lists."""

    kind = models.CharField(_("kind"), max_length=30, choices=ApprovalKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
    )
    payload = models.JSONField(_("proposed change"), default=dict)
    subject = models.CharField(_("about"), max_length=200)
    subject_url = models.CharField(_("link"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["status", "proposed_at"])]
        constraints = [
            # Nobody decides their own proposal, whatever path wrote the row.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="proposal_not_decided_by_proposer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING
