import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core import requestid
from core.api import api_error, is_api, status_message

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """A signed-in user's language follows them across browsers and devices; the session cookie
    only decides for the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class RequestIdMiddleware:
    """First in the chain: gives the request an id (``request.request_id``, the ``X-Request-ID``
    response header, every log line; see ``core.requestid``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = requestid.start(request.headers.get(requestid.HEADER))
        response = self.get_response(request)
        response[requestid.HEADER] = request.request_id
        return response


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RejectNulMiddleware:
    """A NUL character in the path or in any GET/POST field is refused with a 400 and a clear message
    before any view runs (PostgreSQL cannot store or compare it: it used to be a 500 on every search
    and filter, issue 13). The API answers in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _(
                "The request contains a character that is not allowed (NUL). Remove it and try again."
            )
            if is_api(request):
                return api_error(request, status=400, message=message)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """Under the API prefix every error is JSON with the request id: a 404, a 405 from
    ``require_POST``, a 413, an unexpected exception (logged with its traceback, answered 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = status_message(response.status_code)
            converted = api_error(request, status=response.status_code, message=message)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response

    def process_exception(self, request, exception):
        if not is_api(request) or isinstance(exception, Http404):
            return None
        logger.exception("API error on %s", request.path)
        return api_error(
            request, status=500, message=_("Something went wrong; the problem was logged.")
        )


class SessionTimeoutMiddleware:
    """Signs a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request and
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds after sign-in (30 minutes and 10 hours by default,
    issue 13). The last-seen time is written at most once a minute, not on every request."""

    STARTED, SEEN = "auth.started", "auth.seen"

    @classmethod
    def start_clock(cls, sender, request, user, **kwargs) -> None:
        """``user_logged_in`` receiver: both clocks start at sign-in, so the first pages after
        it write nothing more to the session."""
        if request is not None and hasattr(request, "session"):
            now = int(time.time())
            request.session[cls.STARTED] = now
            request.session[cls.SEEN] = now

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(self.STARTED, now)
            seen = session.get(self.SEEN, now)
            if (
                now - seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - seen >= 60 or self.SEEN not in session:
                session[self.SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's other never-cache headers) on every response
    that is not a static file: pages and exports carry client data, and no browser or proxy
    cache may keep them (issue 13)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response or "no-store" not in response["Cache-Control"]:
            add_never_cache_headers(response)
        return response


class MethodNotAllowedPageMiddleware:
    """A GET on a POST-only address (a bookmarked or reloaded action) answers the product's 405
    page instead of Django's empty ``HttpResponseNotAllowed``: one place for every
    ``require_POST`` view. The API's answers stay JSON (``ApiJsonErrorsMiddleware``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            isinstance(response, HttpResponseNotAllowed)
            and not response.content
            and not is_api(request)
        ):
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
