"""Per-record history of imported master data and the uploads behind it (issues 11 and 13)."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.corebanking.report import KIND_LABELS, rejection_summary
from core.actors import actor_display
from core.background import not_started, stopped
from core.messages import render

from .client import Client, ClientKind


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


def upload_lock(upload_id: int) -> str:
    """The lock a worker holds while it imports the upload ``upload_id`` (``core.runlock``)."""
    return f"corebanking-upload-{upload_id}"


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
    # The first bad rows, [[line, column, reason], ...]; errors_total counts them all. A reason is
    # language-neutral, ``core.messages.Text.to_json()`` (rendered by ``error_rows``); uploads
    # recorded before issue 14 hold the text in the uploader's language, shown as it is.
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    errors_total = models.PositiveIntegerField(_("errors in all"), default=0)
    # Rows with at least one error (a row may have several): the summary counts both.
    bad_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
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
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def rejection_summary(self) -> str:
        """The refusal in one sentence, in the active language (``report.rejection_summary``)."""
        return rejection_summary(
            label=self.kind_label,
            rows=self.rows,
            errors=self.errors_total,
            bad_rows=self.bad_rows,
        )

    @property
    def error_rows(self) -> list[tuple[int, str, str]]:
        """The kept errors as ``(line, column, reason)``, each reason in the active language."""
        return [(line, column, render(reason)) for line, column, reason in self.errors]

    @property
    def done(self) -> bool:
        return self.status not in (UploadStatus.QUEUED, UploadStatus.RUNNING)

    @property
    def not_started(self) -> bool:
        """Still waiting for a worker after ``core.background.NOT_STARTED_AFTER``: the page says
        the import has not started and that the background worker may not be running."""
        return self.status == UploadStatus.QUEUED and not_started(self.requested_at)

    @property
    def stopped(self) -> bool:
        """Taken by a worker that is gone (``core.background.stopped``): the page says the import
        stopped, that nothing was written, and offers to import the file again."""
        return self.status == UploadStatus.RUNNING and stopped(
            self.heartbeat_at or self.started_at, lock=upload_lock(self.pk)
        )

    @property
    def percent(self) -> int:
        """How far the import has read, 0–100 (100 once it has finished)."""
        if self.done:
            return 100
        data_lines = max(self.lines - 1, 1)  # the header
        return min(99, self.rows_read * 100 // data_lines)
