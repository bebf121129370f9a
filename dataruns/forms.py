from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateField


class ForceRunForm(forms.Form):
    """A supervisor forces the reclassification for a business date whose set is late."""

    business_date = DateField(
        label=_("Business date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the run and shown on this page."),
    )
