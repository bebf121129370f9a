from collections.abc import Callable, Collection, Hashable, Iterable
from datetime import date
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.memo import ProcessMemo
from core.models import User

# The days a typed date may name. Python's calendar ends at 9999-12-31 and starts at 0001-01-01,
# so a week from 9999-12-31 or 0001-01-01 00:00 in Asia/Shanghai in UTC is an OverflowError (a
# 500); nobody at the bank means a day before 1900 or after 2999.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
_OUT_OF_RANGE = _("Enter a date from %(min)s to %(max)s.")


def _day_in_range(day: date) -> None:
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _OUT_OF_RANGE,
            code="out_of_range",
            params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )


class DateField(forms.DateField):
    """Every date a form takes (issue 14, "Never a 500"): Django's, within ``DATE_MIN`` and
    ``DATE_MAX`` (a field error beyond). ``tests/core/test_typed_dates.py`` finds any form that
    takes a date through another field."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            _day_in_range(day)
        return day


class DateTimeField(forms.DateTimeField):
    """Every date and time a form takes: Django's, its day within ``DATE_MIN`` and ``DATE_MAX``."""

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is not None:
            _day_in_range(instant.date())
        return instant


class SplitDateTimeField(forms.SplitDateTimeField):
    """Django admin's date and time (two inputs), its day within ``DATE_MIN`` and ``DATE_MAX``."""

    def compress(self, data_list):
        instant = super().compress(data_list)
        if instant is not None:
            _day_in_range(instant.date())
        return instant


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def options_html(choices: Iterable[tuple[Any, Any]], selected: Collection[str]) -> str:
    """``<option>`` elements for flat ``(value, label)`` choices, those in ``selected`` marked.
    The standard library's escape: Django's wraps it in a lazy-string check that costs more than
    the escaping itself, hundreds of times a page."""
    options = []
    for key, label in choices:
        key = "" if key is None else str(key)
        mark = " selected" if key in selected else ""
        options.append(f'<option value="{escape(key)}"{mark}>{escape(str(label))}</option>')
    return "".join(options)


# A list filter's options per key (the filter, its scope, the language), kept a minute
# (core.memo): a new RM, branch or handler shows within a minute. Nothing kept here decides
# access: lists are scoped before they are filtered, and a chosen row is checked in the database.
FILTER_OPTIONS = ProcessMemo(seconds=60)


def kept_options(key: Hashable, choices: Callable[[], Iterable[tuple[Any, Any]]]) -> str:
    """The ``<option>``s of ``choices()`` (``(value, label)`` pairs, the empty choice first),
    written once a minute per ``key``. ``key`` must name everything the labels depend on, the
    language included."""
    return FILTER_OPTIONS.get(key, lambda: options_html(choices(), ()))


def option_selected(options: str, value: str | None) -> str:
    """``options`` (from ``kept_options``) with the option of ``value`` marked selected (the empty
    option when there is no value, as Django's selects do); a value no option has marks nothing."""
    option = f'<option value="{escape(value or "")}">'
    return options.replace(option, option.removesuffix(">") + " selected>", 1)


class PlainSelect(forms.Select):
    """A select of flat choices whose options are written in Python rather than through one
    template per option: a filter listing every RM (hundreds at a million clients) otherwise spends
    most of its page's time rendering option templates."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            mark_safe(self.options(value)),
        )

    def options(self, value) -> str:
        return options_html(self.choices, set(self.format_value(value)))


class TokenForm(forms.Form):
    """The 6-digit code of an authenticator app; spaces typed between the digits are ignored."""

    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=12,
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data.get("code"):
            self.data = self.data.copy()
            self.data["code"] = "".join(str(self.data["code"]).split())


def errors_to_form(
    form: forms.BaseForm, error: ValidationError, *, fields: Collection[str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on ``form``: an error naming one of ``fields`` (by
    default the form's own) next to that field, every other one at the top of the form."""
    known = form.fields if fields is None else fields
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in known else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
