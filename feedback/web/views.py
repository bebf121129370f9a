"""The public web feedback form (SPEC section 6): no sign-in, CSRF-protected, a limit per address
(``WEB_FEEDBACK_LIMIT`` accepted submissions per ``WEB_FEEDBACK_WINDOW`` seconds), in
the visitor's language with a switch. The sender sees the same thank-you page whether or not the
phone or e-mail belongs to a client: the form never tells who banks here."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core import throttle
from feedback import selectors
from feedback.services.web_form import (
    web_feedback_count,
    web_feedback_limit_reached,
    web_feedback_submit,
)
from feedback.web.forms import WebFeedbackForm

# The session key under which the thank-you page finds the reference of the sender's ticket.
REFERENCE_KEY = "feedback_web_reference"


@require_http_methods(["GET", "POST"])
def web_form(request):
    """Show the form; on POST write the ticket and redirect to the thank-you page. Bad input
    re-shows the form with its errors, writes nothing and does not count against the address's
    limit; an address that used it up gets 429 with a page asking to come back later."""
    address = throttle.client_address(request)
    if request.method == "POST" and web_feedback_limit_reached(address=address):
        return _too_many(request)
    form = WebFeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not web_feedback_count(address=address):
            return _too_many(request)
        ticket = web_feedback_submit(**form.cleaned_data)
        request.session[REFERENCE_KEY] = ticket.reference
        return redirect("feedback:web_thanks")
    return render(
        request,
        "feedback/web/form.html",
        {"form": form, "hours": selectors.response_hours_in_force()},
    )


def _too_many(request):
    wait_minutes = max(1, settings.WEB_FEEDBACK_WINDOW // 60)
    response = render(
        request, "feedback/web/too_many.html", {"wait_minutes": wait_minutes}, status=429
    )
    response["Retry-After"] = str(settings.WEB_FEEDBACK_WINDOW)
    return response


@require_GET
def web_thanks(request):
    """The same page for every sender, known client or not; the ticket's reference once."""
    reference = request.session.pop(REFERENCE_KEY, "")
    return render(
        request,
        "feedback/web/thanks.html",
        {"reference": reference, "hours": selectors.response_hours_in_force()},
    )
