"""The JSON error shape every API answer shares (SPEC section 6; issue 13: API errors are always
JSON and carry the request id). Messages are in the request's ``Accept-Language`` (Django's
LocaleMiddleware picks it), Chinese when the header is missing or names no language we have
(issue 14)."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from core import requestid

API_PREFIX = "/feedback/api/"

# Errors answered by Django or a middleware before the API's own code (a path that does not
# exist, a wrong method, a NUL byte, a body too large): what the client reads, instead of the
# English HTTP reason phrase.
STATUS_MESSAGES = {
    400: _("The request is not valid."),
    401: _("Sign-in required."),
    403: _("Not allowed."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    413: _("The request is too large."),
    429: _("Too many requests."),
}
OTHER_ERROR = _("The request could not be answered.")


def api_error(request, *, status: int, message: str, errors: dict | None = None) -> JsonResponse:
    """``{"errors": {field: [messages]}, "request_id": …}`` with ``status``; ``message`` goes under
    ``__all__`` when no field errors are given."""
    body = {
        "errors": errors if errors is not None else {"__all__": [str(message)]},
        "request_id": getattr(request, "request_id", None) or requestid.current(),
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def status_message(status: int) -> str:
    """``STATUS_MESSAGES[status]`` in the active language (a generic message for others)."""
    return str(STATUS_MESSAGES.get(status, OTHER_ERROR))


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)
