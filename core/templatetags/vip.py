"""Presentation helpers used on every page: money, masks, status badges, durations."""

import functools
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import masking, navigation

register = template.Library()

_CENT = Decimal("0.01")


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value) -> str:
    """¥1,234,567.89 — Decimal in, text out, never a float on the way."""
    amount = _to_decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def wan(value) -> str:
    """¥123.46万 / ¥1.23亿: how Chinese staff read large amounts (shown as a tooltip)."""
    amount = _to_decimal(value)
    if amount is None:
        return ""
    if abs(amount) >= Decimal("100000000"):
        return f"¥{(amount / Decimal('100000000')).quantize(_CENT, rounding=ROUND_HALF_UP)}亿"
    if abs(amount) >= Decimal("10000"):
        return f"¥{(amount / Decimal('10000')).quantize(_CENT, rounding=ROUND_HALF_UP)}万"
    return money(amount)


@register.simple_tag
def money_html(value):
    """Money with the 万/亿 reading as a tooltip in Chinese."""
    text = money(value)
    if translation.get_language() == "zh-hans":
        reading = wan(value)
        if reading != text:
            # Digits, a sign, "¥", "万" or "亿": nothing to escape; the list pages call this
            # once a row, where format_html's lazy-string checks were most of its cost.
            return mark_safe(f'<span title="{reading}">{text}</span>')
    return text


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value or "")


@register.filter
def percent(value, places: int = 1) -> str:
    number = _to_decimal(value)
    if number is None:
        return "—"
    return f"{(number * 100):.{int(places)}f}%"


@functools.lru_cache(maxsize=8)
def _duration_texts(language: str) -> dict[str, str]:
    """The duration's words in ``language`` (the active one when called): read once per language
    and process, not five times per row of the ticket queue (SPEC section 11)."""
    return {
        "d": _("%(n)d d"),
        "h": _("%(n)d h"),
        "min": _("%(n)d min"),
        "left": _("%(duration)s left"),
        "overdue": _("%(duration)s overdue"),
        "joiner": "" if language == "zh-hans" else " ",
    }


def duration_words(delta: timedelta) -> str:
    """'5 h 12 min' / '5小时12分' (no seconds; staff read minutes)."""
    return _duration_words(delta, _duration_texts(translation.get_language()))


def _duration_words(delta: timedelta, texts: dict[str, str]) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(texts["d"] % {"n": days})
    if hours:
        parts.append(texts["h"] % {"n": hours})
    if mins or not parts:
        parts.append(texts["min"] % {"n": mins})
    return texts["joiner"].join(parts)


@register.filter
def time_left(delta) -> str:
    """'剩余 5小时12分' / '5 h 12 min left', or overdue when negative."""
    if delta is None:
        return "—"
    texts = _duration_texts(translation.get_language())
    words = _duration_words(delta, texts)
    return texts["left" if delta.total_seconds() >= 0 else "overdue"] % {"duration": words}


@register.simple_tag(takes_context=True)
def main_menu(context) -> SafeString:
    """The top bar's menu for the signed-in user's role on this page (``core.navigation``)."""
    return mark_safe(navigation.menu_html(context["user_role"], context["request"].path))
