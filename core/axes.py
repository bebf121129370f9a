"""Login throttling (django-axes) that also stops password spraying: besides a username+address
pair locked after ``AXES_FAILURE_LIMIT`` failures, an address is locked after
``AXES_IP_FAILURE_LIMIT`` failures across any usernames within the cool-off (issue 13: 32 failures
over 8 usernames from one address locked nothing). The per-address limit is higher, so colleagues
behind one branch gateway mistyping their own passwords are not locked together."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class SprayAwareHandler(AxesDatabaseHandler):
    """The database handler, with an address over its own limit counted as locked: axes decides
    both the lock-out at a failure and the check before a sign-in from ``get_failures``."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if _address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def _address_failures(request) -> int:
    """Failures from the request's address across every username, within the cool-off."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
