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


# --- Numbers kept out of URLs ------------------------------------------------------------------------
# The hotline and the client search take what was typed (a phone number, often) by POST and keep it
# in the session under a keyed hash, so it never appears in a URL (access logs, browser history,
# Referer): the URL carries the key, which only this session can turn back into the text (issue 13).
# The session also remembers which clients this user's calls opened: an on-call RM may open those
# VIPs' dossiers (SPEC section 1, issue 14: on-call widening applies only to what the hotline opens).

_HOTLINE_NUMBERS = "hotline.numbers"
_HOTLINE_CLIENTS = "hotline.clients"
_SEARCHES = "clients.searches"
_REMEMBERED = 20


def session_key(scope: str, text: str) -> str:
    """The URL-safe stand-in for ``text``: a keyed hash (20 hex characters), the same for the same
    text, not reversible without the session that remembered it."""
    return salted_hmac(scope, text, algorithm="sha256").hexdigest()[:20]


def session_remember(request, scope: str, text: str) -> str:
    """Keep ``text`` in the session under its key (the latest 20 per scope); return the key."""
    key = session_key(scope, text)
    kept = dict(request.session.get(scope, {}))
    kept.pop(key, None)
    kept[key] = text
    request.session[scope] = dict(list(kept.items())[-_REMEMBERED:])
    return key


def session_recall(request, scope: str, key: str) -> str | None:
    """The text behind ``key`` remembered in this session, or None."""
    return request.session.get(scope, {}).get(key)


def hotline_key(normalized: str) -> str:
    """The caller page's key for a normalised number."""
    return session_key(_HOTLINE_NUMBERS, normalized)


def hotline_remember_number(request, normalized: str) -> str:
    """Keep ``normalized`` in the session and return its key for the caller page's URL."""
    return session_remember(request, _HOTLINE_NUMBERS, normalized)


def hotline_number(request, key: str) -> str | None:
    """The number behind ``key`` looked up in this session, or None."""
    return session_recall(request, _HOTLINE_NUMBERS, key)


def search_remember(request, text: str) -> str:
    """Keep a client search's text in the session; return the key for the results' URL."""
    return session_remember(request, _SEARCHES, text)


def search_text(request, key: str) -> str | None:
    """The search text behind ``key`` in this session, or None (another session's or expired)."""
    return session_recall(request, _SEARCHES, key)


def hotline_remember_client(request, client_id: int) -> None:
    reached = [pk for pk in request.session.get(_HOTLINE_CLIENTS, []) if pk != client_id]
    request.session[_HOTLINE_CLIENTS] = [*reached, client_id][-_REMEMBERED:]


def hotline_reached(request) -> list[int]:
    """The client ids this session's hotline calls opened (the latest 20)."""
    return list(request.session.get(_HOTLINE_CLIENTS, []))
