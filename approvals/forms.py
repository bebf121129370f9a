from django import forms
from django.utils.translation import gettext_lazy as _


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The proposer sees this reason."),
    )
