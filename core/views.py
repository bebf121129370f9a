import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import jobstatus, requestid, selectors, services
from core.access import STAFF_ROLES, role_required
from core.api import api_error, is_api, status_message
from core.forms import LanguageForm, TokenForm
from core.models import Notification, User
from core.registry import home_widgets_for
from core.roles import Role


def favicon(request):
    """``/favicon.ico``, asked for by every browser whatever the page says: the icon the pages
    name (``<link rel="icon">``, static/favicon.svg), by a redirect so the static file's URL
    (hashed in production) stays the one place it is served from."""
    return redirect(static("favicon.svg"))


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
        {
            "statuses": statuses,
            "overdue": [s for s in statuses if s.overdue],
            "mail": jobstatus.undelivered_mail(),
        },
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason: str = ""):
    """A form sent without a valid CSRF token (``CSRF_FAILURE_VIEW``): most often a page left
    open past a sign-in in another tab, which rotates the token. The product's page in the
    reader's language, not Django's technical one ("CSRF验证失败", "DEBUG=True"); Django logs the
    reason (``django.security.csrf``)."""
    if is_api(request):
        return api_error(request, status=403, message=status_message(403))
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The 500 page names the request id that the error's log line carries (issue 13); the API
    answers JSON (core.middleware.ApiJsonErrorsMiddleware catches its errors first)."""
    request_id = getattr(request, "request_id", "") or requestid.current()
    if is_api(request):
        return api_error(request, status=500, message="Server error")
    return HttpResponseServerError(
        loader.get_template("500.html").render({"request_id": request_id})
    )


# --- Sign-in with a second factor (issue 13) ---------------------------------------------------------
# The password step does not sign in a user who has an authenticator: it remembers them in the
# session for TWO_FACTOR_PENDING_SECONDS, and only the code step calls login(). No session is ever
# signed in on the password alone, so no page needs a gate of its own.

_PENDING = "two_factor.pending"


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if selectors.two_factor_device(user=user) is None:
            return super().form_valid(form)
        self.request.session[_PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("two_factor_verify")


def _pending_sign_in(request) -> tuple[User, dict] | None:
    pending = request.session.get(_PENDING)
    if not pending or time.time() - pending["since"] > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user else None


def code_refusal(check: services.CodeCheck) -> str:
    """What the user is told when a code is refused (never which part of it was wrong)."""
    if check.failure == "replayed":
        return _("This code has been used already. Wait for the next code in your app.")
    if check.failure == "throttled":
        return ngettext(
            "Too many wrong codes. Try again in %(seconds)d second.",
            "Too many wrong codes. Try again in %(seconds)d seconds.",
            check.retry_in,
        ) % {"seconds": check.retry_in}
    return _("The code is not right. Enter the code your authenticator app shows now.")


def two_factor_verify(request):
    """The code step of the sign-in. A refused code is audited and counts as a failed sign-in for
    django-axes (its lock-out applies, page included); an accepted one signs the user in and marks
    the session verified (django-otp), which Django admin requires of an enrolled user."""
    found = _pending_sign_in(request)
    if found is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    user, pending = found
    credentials = {"username": user.get_username()}
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(_PENDING, None)
            return get_lockout_response(request, credentials=credentials)
        check = services.two_factor_code_verify(user=user, token=form.cleaned_data["code"])
        if check.device is not None:
            request.session.pop(_PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, check.device)
            return HttpResponseRedirect(_safe_next(request, pending["next"]))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", code_refusal(check))
    return render(request, "registration/two_factor_verify.html", {"form": form})


@role_required(Role.SUPERVISOR)
def two_factor_setup(request):
    """The user's own authenticator: enrolled or not, and while an enrolment is under way its QR
    code, secret and otpauth URI with the form for the first code."""
    return _setup_page(request, TokenForm())


def _setup_page(request, form):
    pending = selectors.two_factor_pending_device(user=request.user)
    context = {
        "device": selectors.two_factor_device(user=request.user),
        "pending": pending,
        "form": form,
    }
    if pending is not None:
        context |= {
            "qr": selectors.totp_qr_data_uri(pending),
            "secret": selectors.totp_secret(pending),
            "uri": pending.config_url,
        }
    return render(request, "registration/two_factor_setup.html", context)


@role_required(Role.SUPERVISOR)
@require_POST
def two_factor_start(request):
    services.two_factor_enrolment_start(user=request.user)
    return redirect("two_factor_setup")


@role_required(Role.SUPERVISOR)
@require_POST
def two_factor_confirm(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        check = services.two_factor_enrolment_confirm(
            user=request.user, token=form.cleaned_data["code"]
        )
        if check.device is not None:
            django_otp.login(request, check.device)
            messages.success(
                request, _("Two-factor sign-in is on: from now on you sign in with a code.")
            )
            return redirect("two_factor_setup")
        form.add_error("code", code_refusal(check))
    return _setup_page(request, form)
