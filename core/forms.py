from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import User


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
