from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import jobstatus, requestid, selectors, services
from core.access import STAFF_ROLES, role_required
from core.api import api_error, is_api
from core.forms import LanguageForm
from core.models import Notification
from core.registry import home_widgets_for
from core.roles import Role


@login_required
def home(request):
    """The first screen after login answers "what needs me now?" for the user's role."""
    role = request.user.role
    widgets = [
        {"template": w.template, "key": w.key, **w.context(request)} for w in home_widgets_for(role)
    ]
    return render(request, "core/home.html", {"widgets": widgets, "role": role})


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_POST
def set_language(request):
    """Switch language: remembered on the user (every device) and in a cookie (the login page)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return redirect("core:home")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.PRODUCTION,
    )
    translation.activate(language)
    return response


@role_required(*STAFF_ROLES)
def notification_list(request):
    notifications = selectors.notifications_for(user=request.user)
    return render(request, "core/notification_list.html", {"notifications": notifications})


@role_required(*STAFF_ROLES)
@require_POST
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_mark_read(user=request.user, notification_id=notification.pk)
    return HttpResponseRedirect(_safe_next(request, notification.url) if notification.url else "/")


@role_required(*STAFF_ROLES)
@require_POST
def notifications_read_all(request):
    services.notifications_mark_read(user=request.user)
    return redirect("core:notifications")


@role_required(Role.SUPERVISOR)
def jobs_panel(request):
    """Each scheduled job's last run and last success; an alert for any job overdue by more than
    a period (SPEC section 8), computed now, so a dead worker cannot hide it."""
    statuses = jobstatus.jobs_status()
    return render(
        request,
        "core/jobs.html",
        {"statuses": statuses, "overdue": [s for s in statuses if s.overdue]},
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page names the request id that the error's log line carries (issue 13); the API
    answers JSON (core.middleware.ApiJsonErrorsMiddleware catches its errors first)."""
    request_id = getattr(request, "request_id", "") or requestid.current()
    if is_api(request):
        return api_error(request, status=500, message="Server error")
    return HttpResponseServerError(
        loader.get_template("500.html").render({"request_id": request_id})
    )
