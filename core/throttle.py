"""Fixed-window rate limits kept in the Django cache (Redis in production, local memory in
development): the one rule behind the hotline look-up limit per user, the API limit per key and
the public web form's limit per address."""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache

# django.contrib.auth's AbstractUser.username
USERNAME_MAX_LENGTH = 150


def allow(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit of ``key`` in ``scope`` and say whether it is within ``limit`` hits per
    ``window`` seconds (the window is aligned to the clock, so a burst at its edge can reach twice
    the limit across two windows: fine for an abuse brake). ``limit <= 0`` disables the check.

    The cache being down must not stop a call being taken: on an error the hit is allowed.
    """
    if limit <= 0:
        return True
    bucket = int(time.time() // window)
    cache_key = f"throttle:{scope}:{key}:{bucket}"
    try:
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down) lets the hit through
        return True
    return count <= limit


def client_address(request) -> str:
    """The address a limit per address counts: the one django-axes locks sign-ins by (``REMOTE_ADDR``
    unless axes is configured for a proxy), so one setting covers both. "unknown" when there is
    none (all such requests share one budget)."""
    return get_client_ip_address(request) or "unknown"


def axes_username(request, credentials: dict | None = None) -> str:
    """The sign-in name django-axes records a failed attempt under (``AXES_USERNAME_CALLABLE``):
    what was typed, cut to the longest possible username (150). A longer name cannot be a user,
    and storing it whole overflows axes' 255-character column on PostgreSQL: a 500 on the login
    page (issue 14)."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(typed)[:USERNAME_MAX_LENGTH]
