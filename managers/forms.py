import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateField, DateTimeField
from core.lists import IdFilter, ListFilter
from core.models import Branch
from core.phone import validate_typed_phone
from managers.models import (
    RelationshipManager,
    RmStatus,
    TrainingCourse,
    TrainingResult,
)
from managers.selectors import training_lapsed_q


def _active_rms():
    return RelationshipManager.objects.filter(status=RmStatus.ACTIVE).select_related("branch")


class RmChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Choose an RM"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.employee_no}) · {obj.branch.code}"


class CandidateForm(forms.ModelForm):
    class Meta:
        model = RelationshipManager
        fields = [
            "employee_no",
            "name",
            "branch",
            "phone",
            "years_experience",
            "communication_score",
            "certifications",
        ]
        help_texts = {
            "certifications": _("Comma-separated, e.g. AFP, CFP"),
            "years_experience": _("Whole years in client-facing banking roles"),
        }

    def clean_phone(self) -> str:
        """The RM's number by the one phone rule (``core.phone``), kept as typed."""
        phone = self.cleaned_data["phone"].strip()
        if phone:
            validate_typed_phone(phone)
        return phone


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the decision; the candidate may ask for it."),
    )


class AssignForm(forms.Form):
    rm = RmChoiceField(label=_("Relationship manager"), queryset=_active_rms())


class ReassignForm(forms.Form):
    to_rm = RmChoiceField(label=_("New relationship manager"), queryset=_active_rms())
    reason = forms.CharField(label=_("Reason"), max_length=300)
    handover_note = forms.CharField(
        label=_("Handover note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the new RM must know: open matters, preferences, next contact."),
    )


class CourseForm(forms.ModelForm):
    class Meta:
        model = TrainingCourse
        fields = ["title", "held_on", "hours", "cost_per_attendee"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"held_on": DateField}


class RecordForm(forms.Form):
    rm = RmChoiceField(
        label=_("Relationship manager"),
        queryset=RelationshipManager.objects.exclude(
            status__in=[RmStatus.CANDIDATE, RmStatus.REJECTED]
        ).select_related("branch"),
    )
    result = forms.ChoiceField(label=_("Result"), choices=TrainingResult.choices)
    score = forms.IntegerField(label=_("Score"), required=False, min_value=0, max_value=100)


class ShiftForm(forms.Form):
    rm = RmChoiceField(label=_("Relationship manager"), queryset=_active_rms())
    starts_at = DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = DateTimeField(
        label=_("Ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Shifts may overlap; a shift may run past midnight."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return data


class BoardFilter(ListFilter):
    """The RM board's filters; ``form`` renders as the board's filter fields."""

    branch = django_filters.ModelChoiceFilter(
        label=_("Branch"), queryset=Branch.objects.all(), empty_label=_("All branches")
    )
    flag = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[("over", _("Over capacity")), ("lapsed", _("Training lapsed"))],
        empty_label=_("All RMs"),
        method="filter_flag",
    )

    def filter_flag(self, queryset, name, value):
        if value == "over":
            return queryset.filter(open_count__gt=F("capacity"))
        return queryset.filter(training_lapsed_q(as_of=timezone.localdate()))


class CandidateFilter(ListFilter):
    branch = IdFilter(field_name="branch_id")


class TrainingFilter(ListFilter):
    branch = IdFilter(field_name="branch_id")
    lapsed = django_filters.ChoiceFilter(choices=[("1", "1")], method="filter_lapsed")

    def filter_lapsed(self, queryset, name, value):
        return queryset.filter(training_lapsed_q(as_of=timezone.localdate()))


class WeekForm(forms.Form):
    start = DateField(label=_("Week from"), required=False)
