"""Feedback tickets from every channel, their thread, the 48-hour response SLA, satisfaction
surveys and the API keys of the mobile app (SPEC section 6)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    BRANCH = "branch", _("Branch")
    EMAIL = "email", _("Email")
    APP = "app", _("Mobile app")
    WEB = "web", _("Web form")


CHANNEL_ICONS = {
    Channel.PHONE: "telephone",
    Channel.BRANCH: "bank",
    Channel.EMAIL: "envelope",
    Channel.APP: "phone",
    Channel.WEB: "globe",
}


class Category(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    SERVICE_REQUEST = "service_request", _("Service request")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.RESPONDED)
AWAITING_RESPONSE = (TicketStatus.NEW, TicketStatus.IN_PROGRESS)
# Waiting for a first response: the tickets whose SLA clock runs (feedback.sla).
AWAITING = Q(first_response_at__isnull=True, status__in=AWAITING_RESPONSE)

# The queue's order, most urgent first: tickets still waiting for a first response (by their
# deadline), then the answered open ones, then resolved and closed ones. Indexed (Ticket.Meta) so
# a page of the queue is read in order instead of sorting every open ticket on every request.
URGENCY = Case(
    When(first_response_at__isnull=True, status__in=AWAITING_RESPONSE, then=Value(0)),
    When(status__in=OPEN_STATUSES, then=Value(1)),
    default=Value(2),
    output_field=models.IntegerField(),
)


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    WARNED = "warned", _("Warning")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Responded in time")
    LATE = "late", _("Responded late")
    NOT_NEEDED = "not_needed", _("No response needed")


class SlaPolicy(models.Model):
    """The response SLA as data, effective-dated: a ticket takes the policy in force when it is
    received, so changing the policy never moves the deadline of a ticket already in the queue."""

    effective_from = models.DateTimeField(_("effective from"), unique=True)
    response_hours = models.PositiveIntegerField(
        _("first response within (hours)"),
        default=48,
        validators=[MinValueValidator(1)],
        help_text=_("Calendar hours: the service works around the clock."),
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return f"{self.response_hours} h / {self.warn_percent}% ({self.effective_from:%Y-%m-%d})"

    @classmethod
    def in_force(cls, at: datetime) -> "SlaPolicy":
        """The policy in force at ``at``; the built-in default (48 h, 75%) when none is stored."""
        policy = cls.objects.filter(effective_from__lte=at).first()
        return policy or cls(effective_from=at)

    def deadlines(self, received_at: datetime) -> tuple[datetime, datetime]:
        """(warn at, first response due) for a ticket received at ``received_at``."""
        window = timedelta(hours=self.response_hours)
        return received_at + window * self.warn_percent / 100, received_at + window


class Ticket(models.Model):
    """A piece of client feedback (反馈工单) from any channel, answered against the SLA clock."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # SHA-256 of the secret the API returned when the app opened this ticket: reading it back needs
    # the reference and that secret (issue 13). Empty for tickets from other channels.
    access_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_tickets",
        help_text=_("Empty for an email from an unknown sender, until triage matches it."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.NEW,
        db_index=True,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_tickets",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    first_response_due_at = models.DateTimeField(_("first response due"))
    # 75% of the way to the deadline: stored so the sweep finds due warnings with one index scan.
    warn_due_at = models.DateTimeField(_("warning due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_tickets",
    )
    sender_email = models.EmailField(_("sender email"), blank=True)
    # What the web form's sender typed (the e-mail goes in sender_email): kept on matched and
    # unmatched tickets alike, so triage can reach and match an unknown sender.
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    sender_phone = models.CharField(_("sender phone"), max_length=32, blank=True)
    # The phone exactly as the sender typed it (sender_phone is its E.164, for matching and
    # calling); shown on the ticket as typed.
    sender_phone_typed = models.CharField(_("sender phone as typed"), max_length=40, blank=True)
    source_message_id = models.CharField(_("email Message-ID"), max_length=255, blank=True)
    # The hotline call that opened the ticket; an id, not a foreign key, so feedback does not
    # depend on the service desk app.
    call_id = models.PositiveBigIntegerField(_("hotline call"), null=True, blank=True)
    # The monthly call-back that opened the ticket ("Open a feedback ticket from this call"),
    # likewise an id; a ticket has at most one source call.
    callback_id = models.PositiveBigIntegerField(_("call-back"), null=True, blank=True)
    api_key = models.ForeignKey(
        "ApiKey",
        verbose_name=_("API key"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )

    # Not a field: the app's secret for this ticket, set by ticket_create for the 201 answer
    # only (its hash is what is stored).
    api_secret: str

    class Meta:
        ordering = ["first_response_due_at", "pk"]
        verbose_name = _("feedback ticket")
        verbose_name_plural = _("feedback tickets")
        permissions = [("lead_team", _("Leads the feedback team (receives SLA warnings)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["source_message_id"],
                condition=~Q(source_message_id=""),
                name="ticket_once_per_message_id",
            )
        ]
        indexes = [
            models.Index(fields=["first_response_at", "warn_due_at"]),
            models.Index(fields=["first_response_at", "first_response_due_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["client", "received_at"]),
            models.Index(URGENCY, F("first_response_due_at"), F("id"), name="ticket_urgency_order"),
            # The SLA counts above every queue (feedback.sla.queue_counts) read the waiting
            # tickets' clocks from this index alone (an index-only scan): 8.9 -> 2.1 ms over
            # 10,000 waiting tickets in the 1M-client benchmark (benchmarks/REPORT.md).
            models.Index(
                fields=["first_response_due_at", "warn_due_at", "id"],
                condition=AWAITING,
                name="ticket_awaiting_clock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def channel_icon(self) -> str:
        return CHANNEL_ICONS.get(self.channel, "chat")


# Free text staff write on a ticket's page: a response, the resolution, an internal note, a close
# reason (kept whole in a note). One limit for all of them, refused past it and never cut (issue
# 14); the rule is feedback.services.handling.ticket_text, the forms take their max_length here.
TICKET_TEXT_MAX_LENGTH = 5000


class TicketMessage(models.Model):
    """One entry of a ticket's thread: an internal note, a response to the client, or a message
    from the client (an email reply, a call)."""

    class Kind(models.TextChoices):
        INTERNAL_NOTE = "internal_note", _("Internal note")
        RESPONSE_TO_CLIENT = "response_to_client", _("Response to client")
        CLIENT_MESSAGE = "client_message", _("Message from client")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("message"))
    # Email Message-ID: of the client's reply (dedupe) or of our response (threading replies).
    message_id = models.CharField(_("email Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="ticket_message_once_per_message_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


# The client's comment on the survey: longer is refused with its own message (issue 14), the score
# kept (feedback.services.surveys.survey_submit, SurveyForm).
SURVEY_COMMENT_MAX_LENGTH = 2000


class Survey(models.Model):
    """The satisfaction survey (满意度调查) sent when a ticket is resolved. ``token`` is a random
    nonce; the link carries it signed with the secret key, so the database alone cannot forge a
    link and a tampered link is recognised without a lookup."""

    VALID_DAYS = 30

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey"
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score or '—'}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None


class ApiKey(models.Model):
    """A key for one intake channel's API (the mobile app). Only a hash is stored; the raw key is
    shown once, when an administrator issues it."""

    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.APP
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TicketAttachment(models.Model):
    """A file that came with a client's email, kept through Django's storage API (the original
    name is shown and used on download; the stored name is random)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        help_text=_("The client's reply it came with; empty for the email that opened the ticket."),
    )
    file = models.FileField(_("file"), upload_to="feedback/attachments/%Y/%m/", max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self) -> str:
        return self.filename


class HeldMail(models.Model):
    """An email that did not become a ticket or a reply: automated mail (ignored, RFC 3834) or a
    message that could not be read or stored (quarantined, its raw bytes kept). Listed for the
    feedback team lead; never processed again on its own, only when a lead asks
    (``feedback.mail.review``): then ``reprocessed_at``/``reprocessed_by`` say when and by whom,
    ``outcome`` what became of it and ``result_ticket`` the ticket it opened or joined."""

    class Kind(models.TextChoices):
        IGNORED = "ignored", _("Ignored (automated)")
        QUARANTINED = "quarantined", _("Quarantined")

    class Reason(models.TextChoices):
        AUTO_SUBMITTED = "auto_submitted", _("Auto-Submitted header (auto-reply or robot)")
        PRECEDENCE = "precedence", _("Bulk, list or auto-reply precedence")
        AUTOREPLY_HEADER = "autoreply_header", _("Auto-reply header")
        MAILING_LIST = "mailing_list", _("Mailing list")
        DELIVERY_REPORT = "delivery_report", _("Delivery or read report")
        MAILER_DAEMON = "mailer_daemon", _("Sent by a mail server (bounce)")
        EMPTY = "empty", _("Empty file")
        TOO_LARGE = "too_large", _("Larger than the mail size limit")
        UNPARSEABLE = "unparseable", _("Not an email (no readable headers)")
        NO_SENDER = "no_sender", _("No usable sender address")
        NUL = "nul", _("Contains NUL characters")
        UNSTORABLE = "unstorable", _("Could not be stored")

    class Outcome(models.TextChoices):
        """What processing it again gave (the intake's outcomes)."""

        TICKETS = "tickets", _("opened a ticket")
        REPLIES = "replies", _("added to its ticket")
        DUPLICATES = "duplicates", _("already processed")
        IGNORED = "ignored", _("ignored as automated mail")
        QUARANTINED = "quarantined", _("quarantined again")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    message_id = models.CharField(_("email Message-ID"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    raw = models.FileField(_("raw message"), upload_to="feedback/held/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    source_key = models.CharField(_("mailbox key"), max_length=255, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The ticket an automated reply answered; it was left unchanged."),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    reprocessed_at = models.DateTimeField(_("processed again at"), null=True, blank=True)
    reprocessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("processed again by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    result_ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("resulting ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("held email")
        verbose_name_plural = _("held emails")
        constraints = [
            # Once processed again, the email may be held anew (quarantined again, or found to
            # be automated) under the same Message-ID.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id="") & Q(reprocessed_at__isnull=True),
                name="held_mail_once_per_message_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.sender or '—'} {self.subject}"
