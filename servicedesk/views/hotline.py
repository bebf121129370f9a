"""The hotline console (SPEC section 5): look a caller up by phone, the client card within the
caller scope, who answers now, the call log."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.selectors import (
    REVEALED_SESSION_KEY,
    hotline_clients_for_user,
    pii_revealed,
    user_sees_pii,
)
from core import throttle
from core.access import (
    hotline_number,
    hotline_reached,
    hotline_remember_client,
    hotline_remember_number,
    role_required,
)
from core.forms import errors_to_form
from core.ids import linked_id
from core.masking import id_number_shown
from core.phone import InvalidPhone, normalize_phone
from core.roles import Role
from feedback.selectors import open_ticket_count
from managers.selectors import active_assignment_for, who_answers
from servicedesk import selectors, services
from servicedesk.forms import CallLogForm, PhoneLookupForm

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR


@role_required(RM, BRANCH, SUPERVISOR)
def hotline(request):
    """The console's empty state: one big phone field. The number is POSTed, never put in a URL
    (access logs, history); a look-up leads to the caller's page under a keyed hash."""
    form = PhoneLookupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # A number that is not one looks nothing up: it spends none of the limit (issue 14).
        try:
            normalized = normalize_phone(form.cleaned_data["phone"])
        except InvalidPhone as exc:
            form.add_error("phone", str(exc))
        else:
            if throttle.allow(
                scope="hotline",
                key=str(request.user.pk),
                limit=settings.HOTLINE_LOOKUP_LIMIT,
                window=settings.HOTLINE_LOOKUP_WINDOW,
            ):
                key = hotline_remember_number(request, normalized)
                return redirect("servicedesk:hotline_caller", key=key)
            form.add_error(None, _("Too many look-ups in a short time. Wait a few minutes."))
            status = 429
    return render(
        request,
        "servicedesk/hotline.html",
        {"lookup_form": form, **_recent_calls(request)},
        status=status,
    )


def _recent_calls(request) -> dict:
    """The latest calls, with the ids of the clients the user may see named (others stay
    "a client outside your scope")."""
    calls = list(selectors.calls_for_user(user=request.user)[:10])
    ids = {call.client_id for call in calls if call.client_id}
    visible = set(
        hotline_clients_for_user(user=request.user, reached=hotline_reached(request))
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return {"recent_calls": calls, "visible_client_ids": visible}


@role_required(RM, BRANCH, SUPERVISOR)
def hotline_caller(request, key: str):
    """The console for one caller (SPEC section 1 scope): the client card when the caller is in
    the user's hotline scope, else "no client in your scope"; the call can be logged and routed
    either way. PII stays masked unless the user may see it."""
    normalized = hotline_number(request, key)
    if normalized is None:
        messages.info(request, _("Look the caller's number up again."))
        return redirect("servicedesk:hotline")
    client = selectors.client_by_phone(normalized=normalized)
    in_scope = (
        client is not None
        and hotline_clients_for_user(user=request.user).filter(pk=client.pk).exists()
    )
    call_form = CallLogForm(request.POST or None)
    if request.method == "POST" and call_form.is_valid():
        try:
            call = services.call_log_create(
                handled_by=request.user,
                phone=normalized,
                topic=call_form.cleaned_data["topic"],
                notes=call_form.cleaned_data["notes"],
            )
        except (ValidationError, InvalidPhone) as exc:
            errors_to_form(call_form, ValidationError(str(exc)), fields=())
        else:
            messages.success(request, _("Call logged."))
            url = reverse("servicedesk:hotline_caller", args=[key])
            return redirect(f"{url}?call={call.pk}")
    context = {
        "lookup_form": PhoneLookupForm(),
        "call_form": call_form,
        "caller_key": key,
        "normalized": normalized,
        "out_of_scope": client is not None and not in_scope,
        "responder": who_answers(client=client, at=timezone.now()),
        **_recent_calls(request),
    }
    if (logged := linked_id(request, "call")) is not None:
        # The call just logged (the redirect after "Log the call"): one the user may see, else
        # 404 as every out-of-scope object.
        context["logged_call"] = get_object_or_404(
            selectors.calls_for_user(user=request.user), pk=logged
        )
    if request.method == "GET" and client is not None:
        services.hotline_lookup_record(user=request.user, client=client, in_scope=in_scope)
    if in_scope:
        hotline_remember_client(request, client.pk)
        context |= _caller_card(request, client)
    return render(request, "servicedesk/hotline.html", context)


def _caller_card(request, client) -> dict:
    user = request.user
    revealed = pii_revealed(
        user=user, client=client, revealed_ids=request.session.get(REVEALED_SESSION_KEY, [])
    )
    return {
        "c": client,
        # The dossier's rule: masked unless revealed there (audited), for the same role.
        "id_number": id_number_shown(client.id_number, revealed=revealed),
        "assignment": active_assignment_for(client=client),
        "show_pii": user_sees_pii(user=user, client=client),
        "last_callback": selectors.last_callback(client=client),
        "open_tickets": open_ticket_count(client=client),
    }
