"""Django's own texts whose Chinese reads badly, translated anew in the project catalogue
(locale/, first in ``LOCALE_PATHS``, so Django finds ours before its own): the length, value and
digit limits of every form field ("确保该变量包含不超过…" becomes "最多 N 个字符，当前 M 个") and the
admin's screen-reader "Model name" ("型号名称", a product model, becomes "模型名称"), and the e-mail
check ("Email" in the Chinese). Listed here only
for ``makemessages``; the ids must be exactly Django's (tests/core/test_django_texts.py checks
them against Django's catalogue)."""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MSGIDS = (
    # django.core.validators: MinLengthValidator, MaxLengthValidator
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    # django.forms.fields.FileField
    ngettext_lazy(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        "max",
    ),
    # django.core.validators: value limits
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is a multiple of step size %(limit_value)s."),
    gettext_noop(
        "Ensure this value is a multiple of step size %(limit_value)s, starting from "
        "%(offset)s, e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on."
    ),
    # django.core.validators.DecimalValidator
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        "max",
    ),
    # django.contrib.admin: the screen-reader caption of the app index's model tables
    gettext_noop("Model name"),
    # django.core.validators.EmailValidator, forms.EmailField: "输入一个有效的 Email 地址" mixes in
    # English on the public web form and the ticket forms
    gettext_noop("Enter a valid email address."),
)
