"""Forms of the service desk. They shape input; the rules (suitability, 100% allocation, outcome
rules, status flow) live in the services, whose errors the views put back on the form."""

from datetime import timedelta
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import RiskLevel, VipStatus
from core.forms import DateField
from core.lists import ListFilter
from core.models import Branch
from core.phone import PhoneField
from servicedesk.models import (
    AssetClass,
    CallbackOutcome,
    CallTopic,
    Event,
    PlanStatus,
    Product,
    Rsvp,
)


class PhoneLookupForm(forms.Form):
    phone = PhoneField(
        label=_("Caller's phone number"),
        max_length=40,
        help_text=_("As shown by the phone: spaces, dashes and +86 are fine."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "tel",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": "138 0013 8000",
            }
        ),
    )


class CallLogForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=CallTopic.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the client asked and what was done."),
    )


class CallbackOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallbackOutcome.choices, widget=forms.RadioSelect
    )
    retry_on = DateField(
        label=_("Retry on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required when the client was not reached."),
    )
    needs = forms.CharField(
        label=_("Client needs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needs the client mentioned: they feed the needs analysis."),
    )
    satisfaction_score = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Not asked"))] + [(n, str(n)) for n in range(1, 6)],
        help_text=_("Optional; only for a client reached."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WealthPlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the client wants to achieve, in their words."),
    )
    horizon_months = forms.IntegerField(
        label=_("Horizon (months)"), min_value=1, max_value=600, initial=36
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        choices=RiskLevel.choices,
        help_text=_("Defaults to the client's assessed risk level; it may not be higher."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Recommended products"),
        queryset=Product.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only products rated at or below the client's risk level are suitable."),
    )
    advice = forms.CharField(
        label=_("Investment advice"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next_review_on = DateField(
        label=_("Next review on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AllocationForm(forms.Form):
    asset_class = forms.ChoiceField(
        label=_("Asset class"),
        choices=[("", "—")] + list(AssetClass.choices),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    percent = forms.DecimalField(
        label=_("Percent"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-sm text-end", "step": "0.01"}
        ),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("asset_class")) != (data.get("percent") is not None):
            raise ValidationError(_("Give both the asset class and its percentage."))
        return data


class BaseAllocationFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            raise ValidationError(_("Add at least one allocation row."))
        total = sum((p for _c, p in rows), Decimal("0"))
        if total != Decimal("100"):
            raise ValidationError(
                _("The allocation must add up to exactly 100%% (now %(total)s%%).")
                % {"total": total}
            )

    def rows(self) -> list[tuple[str, Decimal]]:
        return [
            (f.cleaned_data["asset_class"], f.cleaned_data["percent"])
            for f in self.forms
            if f.cleaned_data.get("asset_class")
        ]


AllocationFormSet = forms.formset_factory(
    AllocationForm, formset=BaseAllocationFormSet, extra=0, min_num=4, max_num=6, validate_max=True
)


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "held_on", "place", "cost", "description"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"held_on": DateField}
        help_texts = {"cost": _("Total cost in CNY; it counts towards the other-costs budget.")}


class InviteForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.all(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All VIP clients")),
            (VipStatus.VIP, VipStatus.VIP.label),
            (VipStatus.VIP_AT_RISK, VipStatus.VIP_AT_RISK.label),
        ],
    )
    interests = forms.CharField(
        label=_("Interests contain"),
        required=False,
        max_length=100,
        help_text=_("For example 高尔夫; leave empty for everyone."),
    )


class InvitationForm(forms.Form):
    rsvp = forms.ChoiceField(label=_("RSVP"), choices=Rsvp.choices)
    attended = forms.BooleanField(label=_("Attended"), required=False)


# --- List filters (core.lists.ListFilter) ---------------------------------------------------------


def _client_search(queryset, name, value):
    """Rows whose client's name or client number contains ``value``."""
    return queryset.filter(Q(client__name__icontains=value) | Q(client__client_no__icontains=value))


# "Due for review": a plan's next review within this many days.
REVIEW_DUE_DAYS = 7


class CallbackFilter(ListFilter):
    q = django_filters.CharFilter(method=_client_search)


class PlanFilter(ListFilter):
    q = django_filters.CharFilter(method=_client_search)
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    review = django_filters.ChoiceFilter(choices=[("due", "due")], method="filter_review")

    def filter_review(self, queryset, name, value):
        """Plans due for review within ``REVIEW_DUE_DAYS``, declined ones aside."""
        due_by = timezone.localdate() + timedelta(days=REVIEW_DUE_DAYS)
        return queryset.filter(next_review_on__lte=due_by).exclude(status=PlanStatus.DECLINED)


class _YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventFilter(ListFilter):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "upcoming"), ("past", "past")], method="filter_when"
    )
    year = _YearFilter(field_name="held_on", lookup_expr="year", min_value=1901, max_value=2999)

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        if value == "upcoming":
            return queryset.filter(held_on__gte=today)
        return queryset.filter(held_on__lt=today)


class InvitationFilter(ListFilter):
    rsvp = django_filters.ChoiceFilter(choices=Rsvp.choices)
