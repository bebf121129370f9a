import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clients.corebanking.encoding import UPLOAD_ENCODINGS
from clients.corebanking.parse import KINDS
from clients.corebanking.report import KIND_LABELS
from clients.models import Client, ClientKind, VipPolicy, VipStatus
from core.forms import MemoSelect, PlainSelect
from core.memo import ProcessMemo
from core.models import Branch
from core.registry import rm_directory
from core.roles import Role


def _plain_choices(field, choices) -> None:
    """What a model choice field's select shows, from plain ``(pk, label)`` rows."""
    field.widget.choices = [("", field.empty_label), *choices]


# The RM filter's options per scope (every RM, or a branch's), kept a minute (core.memo).
RM_FILTER_OPTIONS = ProcessMemo(seconds=60)


class ClientFilter(django_filters.FilterSet):
    """Filters on top of the client list. Bad values are reported on the form and ignored."""

    status = django_filters.ChoiceFilter(
        label=_("VIP status"), choices=VipStatus.choices, widget=PlainSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=ClientKind.choices, widget=PlainSelect
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("branch"), queryset=Branch.objects.order_by("code"), widget=PlainSelect
    )
    # Every RM with a user: hundreds at a million clients, hence the plain select.
    rm = django_filters.ModelChoiceFilter(
        label=_("relationship manager"), queryset=None, method="filter_rm", widget=PlainSelect
    )
    at_risk = django_filters.BooleanFilter(
        label=_("at risk of downgrade only"),
        method="filter_at_risk",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Client
        fields = ["status", "kind", "branch", "rm", "at_risk"]

    def __init__(self, *args, user=None, **kwargs):
        """``user``: whose list it is. The RM choice lists the RMs in that user's scope: every
        RM for a supervisor, the own branch's for branch staff, none for an RM (whose list holds
        only their own clients: the filter is left out)."""
        super().__init__(*args, **kwargs)
        role = user.role if user is not None else None
        if role == Role.RELATIONSHIP_MANAGER:
            del self.filters["rm"]  # before the form is built from the filters
        else:
            rms = rm_directory().rms()
            if role == Role.BRANCH_STAFF:
                rms = rms.filter(branch_id=user.branch_id)
            self.filters["rm"].queryset = rms
            rm_field = self.form.fields["rm"]
            empty = rm_field.empty_label
            # Labels as RelationshipManager.__str__ gives them, without building hundreds of
            # models, read once a minute per scope (core.memo): a new RM shows within a minute.
            rm_field.widget = MemoSelect(
                memo=RM_FILTER_OPTIONS,
                key=(user.branch_id if role == Role.BRANCH_STAFF else None, get_language()),
                read=lambda: [
                    ("", empty),
                    *(
                        (pk, f"{name} ({employee_no})")
                        for pk, name, employee_no in rms.values_list("pk", "name", "employee_no")
                    ),
                ],
            )
        # The branches as Branch.__str__ gives them, read with one plain query (a model choice
        # field iterates its queryset through a server-side cursor on PostgreSQL).
        _plain_choices(
            self.form.fields["branch"],
            (
                (pk, f"{name} ({code})")
                for pk, name, code in Branch.objects.order_by("code").values_list(
                    "pk", "name", "code"
                )
            ),
        )
        for field in self.form.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else "form-select form-select-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def filter_rm(self, queryset, name, value):
        return queryset.filter(pk__in=rm_directory().client_ids_of(value))

    def filter_at_risk(self, queryset, name, value):
        return queryset.filter(status=VipStatus.VIP_AT_RISK) if value else queryset


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
    ends_on = forms.DateField(
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
