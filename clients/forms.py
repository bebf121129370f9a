from html import escape

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clients.corebanking.encoding import UPLOAD_ENCODINGS
from clients.corebanking.parse import KINDS
from clients.corebanking.report import KIND_LABELS
from clients.models import Client, ClientKind, VipPolicy, VipStatus
from clients.selectors import branches_for_user
from core.forms import DateField, PlainSelect, kept_options, option_selected
from core.ids import parse_id
from core.registry import rm_directory
from core.roles import Role


class ClientFilter:
    """The client list's filters (VIP status, kind, branch, RM, at risk only), read from the query
    string. Bad values are reported next to their field, in the user's language, and ignored; the
    other filters still apply.

    Written by hand rather than with django-filter: a ``FilterSet`` deep-copies its filters, builds
    a form class and a form, and renders five widgets on every list page, about a fifth of the
    client list's time at a million clients (SPEC section 11, benchmarks/REPORT.md). Here the
    options are written once a minute per scope and language, and an unfiltered page runs no
    query of its own.

    ``data``: the query string (a ``QueryDict``) or None; ``user``: whose list it is. The branch
    and RM filters offer and accept what is in that user's scope only: every branch and RM for a
    supervisor; the own branch and its RMs for branch staff; the branches of their own clients
    and no RM filter for an RM (whose list holds only their own clients)."""

    CHOICES = {"status": VipStatus.choices, "kind": ClientKind.choices}
    LABELS = {
        "status": _("VIP status"),
        "kind": _("kind"),
        "branch": _("branch"),
        "rm": _("relationship manager"),
        "at_risk": _("at risk of downgrade only"),
    }

    def __init__(self, data=None, *, user) -> None:
        self.user = user
        self.with_rm = user.role != Role.RELATIONSHIP_MANAGER
        self.errors: dict[str, list[str]] = {}
        self.chosen: dict[str, str] = {}
        data = data or {}
        for name in ("status", "kind", "branch", "rm"):
            value = str(data.get(name) or "").strip()
            if value and (name != "rm" or self.with_rm):
                self._choose(name, value)
        self.at_risk = forms.CheckboxInput().value_from_datadict(data, None, "at_risk")

    def _choose(self, name: str, value: str) -> None:
        if name in self.CHOICES:
            valid = value in {str(key) for key, _label in self.CHOICES[name]}
            message = forms.ChoiceField.default_error_messages["invalid_choice"] % {"value": value}
        else:
            # Checked in the database, not against the kept options: an RM who left the branch
            # a moment ago is refused at once.
            # An id as core.ids reads one (ASCII digits, in the column's range), written back in
            # its plain form so the option chosen is marked ("007" is 7).
            pk = parse_id(value)
            options = self._rms() if name == "rm" else branches_for_user(user=self.user)
            valid = pk is not None and options.filter(pk=pk).exists()
            value = str(pk)
            message = forms.ModelChoiceField.default_error_messages["invalid_choice"]
        if valid:
            self.chosen[name] = value
        else:
            self.errors[name] = [str(message)]

    def _scope(self) -> tuple:
        """Whose branch and RM options these are, in the key they are kept under: one set for
        the service-wide roles, one per branch for branch staff (a branch staff account not
        yet given its branch has a set of its own, empty), one per RM."""
        user = self.user
        if user.is_service_wide:
            return ("service",)
        if user.role == Role.BRANCH_STAFF:
            return ("branch", user.branch_id)
        return ("user", user.pk)

    def _rms(self):
        rms = rm_directory().rms()
        if self.user.role == Role.BRANCH_STAFF:
            rms = rms.filter(branch_id=self.user.branch_id)
        return rms

    def filter(self, queryset):
        """``queryset`` narrowed by the valid filters."""
        chosen = self.chosen
        if "status" in chosen:
            queryset = queryset.filter(status=chosen["status"])
        if "kind" in chosen:
            queryset = queryset.filter(kind=chosen["kind"])
        if "branch" in chosen:
            queryset = queryset.filter(branch_id=int(chosen["branch"]))
        if "rm" in chosen:
            queryset = queryset.filter(pk__in=rm_directory().client_ids_of(int(chosen["rm"])))
        if self.at_risk:
            queryset = queryset.filter(status=VipStatus.VIP_AT_RISK)
        return queryset

    def html(self) -> SafeString:
        """The filters' columns of the list's filter form: a labelled select each, the at-risk
        check box, each field's errors below it."""
        language, scope = get_language(), self._scope()
        columns = [
            self._select("status", _options(("status", language), self.CHOICES["status"])),
            self._select("kind", _options(("kind", language), self.CHOICES["kind"])),
            self._select("branch", _options(("branch", scope, language), self._branch_choices)),
        ]
        if self.with_rm:
            columns.append(self._select("rm", _options(("rm", scope, language), self._rm_choices)))
        checked = " checked" if self.at_risk else ""
        columns.append(
            '<div class="col-6 col-md-2"><div class="form-check mt-4">'
            '<input type="checkbox" name="at_risk" class="form-check-input" id="id_at_risk"'
            f'{checked}{self._invalid("at_risk")}> <label class="form-check-label small" for="id_at_risk">'
            f"{escape(str(self.LABELS['at_risk']))}</label></div>{self._errors('at_risk')}</div>"
        )
        return mark_safe("".join(columns))

    def _select(self, name: str, options: str) -> str:
        options = option_selected(options, self.chosen.get(name))
        label = escape(capfirst(str(self.LABELS[name])))
        return (
            f'<div class="col-6 col-md-2"><label class="form-label small" for="id_{name}">'
            f'{label}</label><select name="{name}" class="form-select form-select-sm" '
            f'id="id_{name}"{self._invalid(name)}>{options}</select>{self._errors(name)}</div>'
        )

    def _invalid(self, name: str) -> str:
        # As Django marks a field in error, for screen readers.
        if name not in self.errors:
            return ""
        return f' aria-invalid="true" aria-describedby="id_{name}_error"'

    def _errors(self, name: str) -> str:
        if name not in self.errors:
            return ""
        messages = "".join(f"<div>{escape(error)}</div>" for error in self.errors[name])
        return f'<div class="invalid-feedback d-block" id="id_{name}_error">{messages}</div>'

    def _rm_choices(self) -> list[tuple[int, str]]:
        # Labels as RelationshipManager.__str__ gives them, without building hundreds of models.
        return [
            (pk, f"{name} ({employee_no})")
            for pk, name, employee_no in self._rms().values_list("pk", "name", "employee_no")
        ]

    def _branch_choices(self) -> list[tuple[int, str]]:
        # As Branch.__str__ gives them.
        branches = branches_for_user(user=self.user).order_by("code")
        return [
            (pk, f"{name} ({code})")
            for pk, name, code in branches.values_list("pk", "name", "code")
        ]


def _options(key, choices) -> str:
    """A filter's options, the empty one first (``core.forms.kept_options``)."""
    return kept_options(
        ("clients", *key),
        lambda: [("", "---------"), *(choices() if callable(choices) else choices)],
    )


def _bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap's classes on the widgets, so the dossier renders its forms as plain fields
    (``{{ field }}``) rather than through crispy's templates (SPEC section 11)."""
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else ("form-control form-control-sm")
        )
        field.widget.attrs.setdefault("class", css)


class PreferencesForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    class Meta:
        model = Client
        fields = [
            "preferred_channel",
            "contact_window_start",
            "contact_window_end",
            "preferred_language",
            "interests",
            "risk_level",
        ]
        widgets = {
            "preferred_channel": PlainSelect,
            "preferred_language": PlainSelect,
            "risk_level": PlainSelect,
            "contact_window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "contact_window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "contact_window_start": _("When the client likes to be called (Asia/Shanghai)."),
            "interests": _("Comma-separated, e.g. funds, golf, education."),
            "risk_level": _("From the latest suitability questionnaire."),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("contact_window_start"), data.get("contact_window_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both ends of the contact window, or neither."))
        if start and end and start >= end:
            self.add_error("contact_window_end", _("The window must end after it starts."))
        return data


class OverrideForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=VipStatus.choices, widget=PlainSelect)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("Shown in the status history."),
    )
    ends_on = DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The nightly run applies the rule again after this day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < timezone.localdate():
            raise forms.ValidationError(_("The end date cannot be in the past."))
        return ends_on


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("File"),
        choices=[(k, KIND_LABELS[k]) for k in KINDS],
        help_text=_("As exported by the core banking system."),
    )
    file = forms.FileField(label=_("CSV file"), help_text=_("Header row required."))
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        required=False,
        # Hong Kong and Taiwan systems' Big5 is read with the HKSCS characters it may carry.
        choices=[("", _("Detect (UTF-8, then GB18030)")), *UPLOAD_ENCODINGS.items()],
    )

    def clean_file(self):
        """At most ``CORE_BANKING_UPLOAD_MAX_BYTES`` (100 MB by default; larger files go through
        the ``import_corebanking`` command)."""
        upload = self.cleaned_data["file"]
        limit = settings.CORE_BANKING_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; uploads are limited to %(limit)s MB.")
                % {"size": f"{upload.size / 1e6:,.1f}", "limit": f"{limit / 1e6:,.0f}"}
            )
        return upload


class VipPolicyForm(forms.ModelForm):
    """A new VIP policy version, as a supervisor proposes it (SPEC sections 3 and 4). The same
    form checks the proposal again when a second supervisor approves it."""

    class Meta:
        model = VipPolicy
        fields = [
            "version",
            "effective_from",
            "personal_asset_threshold",
            "corporate_asset_threshold",
            "min_trades",
            "activity_months",
            "min_relationship_years",
            "grace_days",
            "asset_measure",
            "average_days",
            "review_dates",
            "warning_drop_percent",
            "warning_drop_days",
            "warning_near_percent",
            "warning_trades_days",
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"effective_from": DateField}

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            # A policy for a past day would rewrite the reasons of runs already made.
            raise forms.ValidationError(_("A new policy takes effect today or later."))
        return day


class VipPolicyProposalForm(VipPolicyForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The second supervisor reads this before approving."),
    )
