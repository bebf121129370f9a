"""Calendar arithmetic shared by every app: the one month rule (SPEC section 3's activity
window, section 4's training validity), and the one reading of a date written in an imported
file (``parse_iso_date``)."""

import re
from calendar import monthrange
from datetime import date

from core.messages import neutral as _
from core.messages import quoted


def months_before(day: date, months: int) -> date:
    """``day`` minus calendar months, clamped to the month's end (31 May − 3 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def years_before(day: date, years: int) -> date:
    """``day`` minus years; 29 Feb − 1 year = 28 Feb."""
    return months_before(day, 12 * years)


class InvalidDate(ValueError):
    """A date written in a file that is not one; ``exc.args[0]`` is the language-neutral reason
    (``core.messages.Text``): the expected format, or "not a real date" for one that has it."""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)


def parse_iso_date(value: str) -> date:
    """The one reading of a date column in an imported file (every import's every date column,
    issue 14): exactly ``YYYY-MM-DD``. Raises ``InvalidDate`` quoting the value, in the import's
    one form of reason (``what: "value" (expected)``): the format expected for text in another
    form, and 'not a real date: "2026-02-30"' for a day the calendar does not have."""
    if not _ISO_DATE.match(value):
        raise InvalidDate(
            _('bad date: "%(value)s" (expected YYYY-MM-DD)') % {"value": quoted(value)}
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDate(_('not a real date: "%(value)s"') % {"value": value}) from None
