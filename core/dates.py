"""Calendar arithmetic shared by every app: the one month rule (SPEC section 3's activity
window, section 4's training validity)."""

from calendar import monthrange
from datetime import date


def months_before(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (31 May − 3 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def years_before(day: date, years: int) -> date:
    """``day`` minus years; 29 Feb − 1 year = 28 Feb."""
    return months_before(day, 12 * years)
