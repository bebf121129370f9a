"""Who may see a page. A role that may not see a page, or an object outside the user's scope,
gets 404: the existence of a client or ticket is not leaked to someone who may not see it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

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
