from django import forms
from django.utils.translation import gettext_lazy as _

from retention.models import TaskOutcome


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=TaskOutcome.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
