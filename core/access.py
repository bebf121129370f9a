"""Who may see a page. A role that may not see a page, or an object outside the user's scope,
gets 404: the existence of a client or ticket is not leaked to someone who may not see it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.crypto import salted_hmac

from core.roles import Role


def role_required(*roles: Role) -> Callable:
    """Login required, then 404 unless the user holds one of ``roles``. Administrators pass."""

    allowed = set(roles) | {Role.ADMINISTRATOR}

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator


STAFF_ROLES = (
    Role.RELATIONSHIP_MANAGER,
    Role.BRANCH_STAFF,
    Role.FEEDBACK_TEAM,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)


# --- What the hotline opened ------------------------------------------------------------------------
# The hotline takes the caller's number by POST and keeps it in the session under a keyed hash, so the
# number never appears in a URL (access logs, browser history, Referer). The session also remembers
# which clients this user's calls opened: an on-call RM may open those VIPs' dossiers (SPEC section 1,
# issue 14: on-call widening applies only to what the hotline opens).

_HOTLINE_NUMBERS = "hotline.numbers"
_HOTLINE_CLIENTS = "hotline.clients"
_REMEMBERED = 20


def hotline_key(normalized: str) -> str:
    """The URL-safe stand-in for a normalised number: a keyed hash, not reversible without the
    session (20 hex characters)."""
    return salted_hmac("servicedesk.hotline", normalized, algorithm="sha256").hexdigest()[:20]


def hotline_remember_number(request, normalized: str) -> str:
    """Keep ``normalized`` in the session and return its key for the caller page's URL."""
    key = hotline_key(normalized)
    numbers = dict(request.session.get(_HOTLINE_NUMBERS, {}))
    numbers.pop(key, None)
    numbers[key] = normalized
    request.session[_HOTLINE_NUMBERS] = dict(list(numbers.items())[-_REMEMBERED:])
    return key


def hotline_number(request, key: str) -> str | None:
    """The number behind ``key`` looked up in this session, or None."""
    return request.session.get(_HOTLINE_NUMBERS, {}).get(key)


def hotline_remember_client(request, client_id: int) -> None:
    reached = [pk for pk in request.session.get(_HOTLINE_CLIENTS, []) if pk != client_id]
    request.session[_HOTLINE_CLIENTS] = [*reached, client_id][-_REMEMBERED:]


def hotline_reached(request) -> list[int]:
    """The client ids this session's hotline calls opened (the latest 20)."""
    return list(request.session.get(_HOTLINE_CLIENTS, []))
