from django import forms
from django.utils.translation import gettext_lazy as _

from core.phone import PhoneField
from feedback.models import Category

DESCRIPTION_MAX_LENGTH = 5000


class WebFeedbackForm(forms.Form):
    """What a client writes on the public form: who they are (a phone number or an e-mail address,
    so the bank can answer and match them to their file), what it is about, and the message."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneField(
        label=_("Mobile or phone number"),
        max_length=40,
        required=False,
        complete=True,
        help_text=_("The number you gave the bank, so we can find your file and call you back."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("We send you our answer there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("Choose one")), *Category.choices],
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Your message"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Please leave out card numbers and passwords: we never ask for them."),
    )

    def clean(self):
        data = super().clean()
        # Only when neither field has an error of its own: a bad number is reported as such.
        if not (data.get("phone") or data.get("email")) and not (
            self.has_error("phone") or self.has_error("email")
        ):
            self.add_error(
                "phone", _("Give a phone number or an e-mail address so that we can answer you.")
            )
        # The number as typed, kept beside its E.164 form (what staff see on the ticket).
        data["phone_typed"] = str(self.data.get("phone", "")).strip() if data.get("phone") else ""
        return data
