"""The JSON error shape every API answer shares (SPEC section 6; issue 13: API errors are always
JSON and carry the request id)."""

from django.http import JsonResponse

from core import requestid

API_PREFIX = "/feedback/api/"


def api_error(request, *, status: int, message: str, errors: dict | None = None) -> JsonResponse:
    """``{"errors": {field: [messages]}, "request_id": …}`` with ``status``; ``message`` goes under
    ``__all__`` when no field errors are given."""
    body = {
        "errors": errors if errors is not None else {"__all__": [str(message)]},
        "request_id": getattr(request, "request_id", None) or requestid.current(),
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)
