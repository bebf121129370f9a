"""The Redis cache, degrading to a miss when Redis is unreachable (issue 11).

Django's ``RedisCache`` raises ``redis.exceptions.ConnectionError`` from every call while Redis is
down: with Redis stopped, 498 of 500 signed-in requests answered 500 (the ``cached_db`` session
engine of the time wrote the cache after each database read; sessions are in the database only
now). Here a read that fails is a miss, a write that fails is skipped, and a counter that fails
counts from zero; the error is logged once a minute, not per request.

Django's own backend is kept (the cache keys and pickling stay those of the rest of the project);
django-redis offers the same through ``IGNORE_EXCEPTIONS`` but would be a second Redis client
library for a dozen lines.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_last_logged = 0.0


def _log(name: str, exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged > 60:
        _last_logged = now
        logger.warning("cache unavailable (%s: %s); serving from the database", name, exc)


def _degrade(fallback: Callable[..., Any]) -> Callable:
    def decorator(method: Callable) -> Callable:
        @wraps(method)
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                _log(method.__name__, exc)
                return fallback(*args, **kwargs)

        return wrapped

    return decorator


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _empty(*args: Any, **kwargs: Any) -> Any:
    return {}


def _unset(keys: Any, *args: Any, **kwargs: Any) -> list:
    return list(keys)


def _get_or_set(key: Any, default: Any, *args: Any, **kwargs: Any) -> Any:
    return default() if callable(default) else default


def _delta(key: Any, delta: int = 1, *args: Any, **kwargs: Any) -> int:
    return delta


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose calls answer as an empty cache while Redis is unreachable."""

    get = _degrade(_default)(RedisCache.get)
    get_many = _degrade(_empty)(RedisCache.get_many)
    get_or_set = _degrade(_get_or_set)(RedisCache.get_or_set)
    has_key = _degrade(_false)(RedisCache.has_key)
    set = _degrade(_none)(RedisCache.set)
    add = _degrade(_false)(RedisCache.add)
    touch = _degrade(_false)(RedisCache.touch)
    set_many = _degrade(_unset)(RedisCache.set_many)
    delete = _degrade(_false)(RedisCache.delete)
    delete_many = _degrade(_none)(RedisCache.delete_many)
    incr = _degrade(_delta)(RedisCache.incr)
    decr = _degrade(_delta)(RedisCache.decr)
    clear = _degrade(_false)(RedisCache.clear)
