from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH_CHOICES = [("", _("Whole year"))] + [(str(m), f"{m:02d}") for m in range(1, 13)]


class PeriodForm(forms.Form):
    """The dashboard's year/month selector (GET)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000)
    month = forms.TypedChoiceField(
        label=_("Month"), choices=MONTH_CHOICES, coerce=int, required=False, empty_value=None
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("There are no figures for a future year."))
        return year


class ExportForm(PeriodForm):
    FORMAT_CHOICES = [("xlsx", "Excel (.xlsx)"), ("csv", "CSV")]
    TABLE_CHOICES = [
        ("summary", _("KPIs against targets")),
        ("months", _("Month by month")),
        ("budget", _("Budget")),
        ("needs", _("Needs analysis")),
        ("vips", _("VIP clients")),
    ]
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="xlsx")
    table = forms.ChoiceField(
        label=_("Table"), choices=TABLE_CHOICES, required=False, initial="summary"
    )
