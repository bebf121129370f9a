"""The bank's name on what clients see (SPEC section 6: the survey and the web form; their mail)."""

from django.conf import settings
from django.utils import translation


def bank_name() -> str:
    """The bank's name in the active language: ``BANK_NAME_EN`` in English, else ``BANK_NAME``
    (Chinese, the default language). Both come from the environment (settings)."""
    if (translation.get_language() or "").startswith("en"):
        return settings.BANK_NAME_EN
    return settings.BANK_NAME
