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
    cache_key = _cache_key(scope=scope, key=key, window=window)
    try:
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down) lets the hit through
        return True
    return count <= limit


def used_up(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Whether ``key`` has had its ``limit`` hits in ``scope`` this window, counting none: for a
    limit that counts only what was accepted (``allow`` once the input is good), so refused input
    spends nothing. False when the cache is down or ``limit <= 0``, as ``allow``."""
    if limit <= 0:
        return False
    try:
        count = cache.get(_cache_key(scope=scope, key=key, window=window), 0)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down) lets the hit through
        return False
    return count >= limit


def _cache_key(*, scope: str, key: str, window: int) -> str:
    return f"throttle:{scope}:{key}:{int(time.time() // window)}"


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
