from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.background import not_started, stopped
from core.messages import render


class IntakeOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate, ignored")


class IntakeRun(models.Model):
    """One attempt at one business date's file set from the inbox. At most one imported set per
    business date; a set seen again is a duplicate (nothing changes) or is rejected."""

    business_date = models.DateField(_("business date"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=IntakeOutcome.choices)
    # SHA-256 of the manifest file: the same set delivered twice has the same one.
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    # As text in the language of the night's run (the report beside a refused set says the same).
    error = models.TextField(_("error"), blank=True)
    # The same, language-neutral: ``core.messages.Text.to_json()`` (``error_text``).
    error_message = models.JSONField(_("error (any language)"), null=True, blank=True)
    # Where the files went (archive/… or rejected/…), relative to the inbox.
    moved_to = models.CharField(_("moved to"), max_length=300, blank=True)

    class Meta:
        ordering = ["-business_date", "-started_at"]
        verbose_name = _("intake run")
        verbose_name_plural = _("intake runs")
        constraints = [
            models.UniqueConstraint(
                fields=["business_date"],
                condition=Q(outcome="imported"),
                name="intake_one_imported_set_per_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.outcome}"

    @property
    def error_text(self) -> str:
        """Why the set was refused, in the reader's language (``error_message``); runs recorded
        before it was kept have only the text in the night's language."""
        return render(self.error_message) if self.error_message else self.error


class IntakeFile(models.Model):
    """One file of a set: what the manifest announced and what the import found."""

    run = models.ForeignKey(IntakeRun, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10)
    name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    rows_expected = models.PositiveIntegerField(_("rows announced"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    ok = models.BooleanField(_("accepted"), default=False)
    # As text in the language of the night's run (the report beside a refused set says the same).
    errors = models.TextField(_("errors"), blank=True)
    # The same, language-neutral (issue 14): [[line, column, reason], ...], a reason being
    # ``core.messages.Text.to_json()``; line 0 for what concerns the whole file.
    error_rows = models.JSONField(_("errors (any language)"), default=list, blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("intake file")
        verbose_name_plural = _("intake files")

    def __str__(self) -> str:
        return self.name

    @property
    def error_lines(self) -> list[str]:
        """The errors as staff read them, in the active language: ``line:column: reason`` for
        a row, the reason alone for the whole file. Files taken in before issue 14 have only
        the text written in the night's language."""
        if not self.error_rows:
            return self.errors.splitlines()
        return [
            f"{line}:{column or '-'}: {render(reason)}" if line else render(reason)
            for line, column, reason in self.error_rows
        ]


def night_lock(run_id: int) -> str:
    """The name of the lock a worker holds while it runs the night ``run_id`` (``core.runlock``)."""
    return f"night-run-{run_id}"


# The steps of a night, in order (``programme.services``): each is recorded on the run as it
# ends, so a run whose worker died says which ones it finished.
NIGHT_STEPS = {
    "rule": _("statuses"),
    "assignments": _("RM assignments"),
    "callbacks": _("call-backs"),
    "warnings": _("early warnings"),
}


class NightTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Schedule")
    INTAKE = "intake", _("After the data set came in")
    COMMAND = "command", _("Command line")
    FORCED = "forced", _("Forced by a supervisor")


class NightStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class NightRun(models.Model):
    """One reclassification (rule, RM assignment, call-backs) for a business date. Runs on an
    imported set happen once per date; a supervisor may force one before the set is in, and the
    set's own run still follows when it arrives."""

    # Not a column: what a stopped run had written, set by ``dataruns.selectors.days`` for the page.
    changes_written: int | None = None

    business_date = models.DateField(_("business date"), db_index=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=NightTrigger.choices)
    # False for a forced run on a date whose set had not come in: the data of earlier days.
    on_imported_data = models.BooleanField(_("on the date's data set"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NightStatus.choices, default=NightStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    changes = models.PositiveIntegerField(_("status changes"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # A failure's exception as the worker saw it (technical, not translated), or the text of
    # ``error_message`` in the worker's language.
    error = models.TextField(_("error"), blank=True)
    # Why the run ended without finishing, language-neutral, when the product decided it (no
    # worker started it, a later date's run superseded it): ``core.messages.Text.to_json()``.
    error_message = models.JSONField(_("error (any language)"), null=True, blank=True)
    # Counts the workers' claims and is the current claim's token: only the claim still current
    # records a result (``dataruns.services.night_run_finish``).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The run's last sign of life after its claim: the end of each step.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # The steps (``NIGHT_STEPS``) this claim finished.
    steps_done = models.JSONField(_("steps done"), default=list, blank=True)

    class Meta:
        ordering = ["-business_date", "-requested_at"]
        verbose_name = _("reclassification run")
        verbose_name_plural = _("reclassification runs")
        constraints = [
            # Once per business date (and once more on its set after a forced early run): a
            # second beat, a retry or a duplicate delivery finds the row and does nothing.
            models.UniqueConstraint(
                fields=["business_date", "on_imported_data"],
                condition=~Q(status="failed"),
                name="nightrun_once_per_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.status}"

    @property
    def not_started(self) -> bool:
        """Requested (a forced run) and no worker has started it after
        ``core.background.NOT_STARTED_AFTER``: the page says the background worker may not be
        running."""
        return self.status == NightStatus.REQUESTED and not_started(self.requested_at)

    @property
    def last_sign_of_life(self):
        return self.heartbeat_at or self.started_at

    @cached_property
    def stopped(self) -> bool:
        """Taken by a worker that is gone (``core.background.stopped``): the page says the run
        stopped, what it had written, and offers to run it again. Read once per instance (it
        asks the lock)."""
        return self.status == NightStatus.RUNNING and stopped(
            self.last_sign_of_life, lock=night_lock(self.pk)
        )

    @property
    def error_text(self) -> str:
        """Why the run failed, in the reader's language where the product wrote the reason."""
        return render(self.error_message) if self.error_message else self.error

    @property
    def status_label(self) -> str:
        """The status as the data runs page and ``corebanking_runs`` show it: "Stopped" for a run
        whose worker is gone (``stopped``), else the recorded status."""
        return str(_("Stopped")) if self.stopped else self.get_status_display()

    @property
    def steps_done_text(self) -> str:
        """The steps this claim finished, in the active language, as a list in a sentence."""
        done = [str(label) for key, label in NIGHT_STEPS.items() if key in self.steps_done]
        return pgettext("list separator", ", ").join(done) if done else str(_("none"))
