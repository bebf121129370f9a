from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from clients.selectors import hotline_clients_for_user
from core.access import hotline_reached, role_required
from core.exports import csv_response
from core.ids import linked_id
from core.lists import Sorting
from core.paging import CappedPaginator
from core.registry import call_for_ticket, callback_for_ticket
from core.roles import Role
from core.services import filters_used
from feedback import selectors, sla
from feedback.forms import (
    AssignForm,
    BulkAssignForm,
    CategoryForm,
    CloseForm,
    LinkClientForm,
    MessageForm,
    QueueFilter,
    RespondForm,
    SurveyForm,
    TicketForm,
    assign_options,
)
from feedback.models import Channel, Survey, TicketMessage
from feedback.services import audit, handling, opening, replies, surveys

EXPORT_COLUMNS = [
    "reference",
    "client_no",
    "client",
    "channel",
    "category",
    "status",
    "handler",
    "received_at",
    "first_response_due_at",
    "first_response_at",
    "sla",
    "subject",
]
STAFF = (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.FEEDBACK_TEAM, Role.SUPERVISOR)
TEAM = (Role.FEEDBACK_TEAM, Role.SUPERVISOR)
PAGE_SIZE = 25
# The queue counts up to this many tickets (400 pages of 25); beyond, it asks for narrower filters.
QUEUE_COUNT_CAP = 10_000
# What a queue row shows (feedback/templatetags/feedback_rows.py and queue.html).
QUEUE_COLUMNS = (
    "reference",
    "subject",
    "channel",
    "category",
    "status",
    "sender_email",
    "sender_phone",
    "received_at",
    "first_response_at",
    "first_response_due_at",
    "warn_due_at",
    "warned_at",
    "breached_at",
    "client",
    "client__name",
    "client__status",
    "client__at_risk_since",
    "handler",
    "handler__username",
    "handler__first_name",
    "handler__last_name",
)
# Without a sort the queue is most urgent first (selectors.urgency_ordered).
QUEUE_SORTING = Sorting(
    {"reference": "reference", "received_at": "received_at", "status": "status"}
)


def _filtered(request, qs):
    """``(filters, tickets, sort)``: the queue's filters (``QueueFilter``) and sort applied."""
    filters = QueueFilter(request.GET, user=request.user)
    qs, sort = QUEUE_SORTING.apply(filters.filter(qs), request.GET.get("sort"))
    return filters, (qs if sort else selectors.urgency_ordered(qs)), sort


@role_required(*STAFF)
def queue(request):
    """Every ticket the user may see, most urgent first, with its SLA clock."""
    scoped = selectors.tickets_for_queue(user=request.user)
    filters, tickets, sort = _filtered(request, scoped)
    # The columns the rows show, no more; counted up to a cap (core.paging).
    page = CappedPaginator(
        tickets.select_related(None).select_related("client", "handler").only(*QUEUE_COLUMNS),
        PAGE_SIZE,
        cap=QUEUE_COUNT_CAP,
    ).get_page(request.GET.get("page"))
    is_team = selectors.user_is_team(request.user)
    return render(
        request,
        "feedback/queue.html",
        {
            "filters": filters,
            "page_obj": page,
            "tickets": page.object_list,
            "counts": sla.queue_counts(scoped),
            "is_team": is_team,
            "may_review_held_mail": is_team and selectors.may_review_held_mail(request.user),
            "assign_options": assign_options() if is_team else "",
            "sort": sort,
            # Each row links to its ticket without a reverse() per row.
            "ticket_url_prefix": reverse("feedback:ticket_detail", args=["R"]).removesuffix("R/"),
        },
    )


@role_required(*TEAM)
def queue_export(request):
    """The filtered queue as CSV (UTF-8 with BOM so Excel reads the Chinese), audited."""
    _filters, tickets, _sort = _filtered(request, selectors.tickets_for_user(user=request.user))
    now = timezone.now()
    audit.queue_export_record(
        user=request.user, rows=tickets.count(), filters=filters_used(request.GET)
    )
    rows = (
        [
            t.reference,
            t.client.client_no if t.client else "",
            t.client.name if t.client else t.sender_email,
            t.channel,
            t.category,
            t.status,
            t.handler.username if t.handler else "",
            t.received_at,
            t.first_response_due_at,
            t.first_response_at,
            sla.state_of(t, now),
            t.subject,
        ]
        for t in tickets.iterator(chunk_size=500)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(filename=f"feedback-{stamp}.csv", header=EXPORT_COLUMNS, rows=rows)


@role_required(*TEAM)
@require_POST
def bulk_assign(request):
    scoped = selectors.tickets_for_user(user=request.user)
    references = request.POST.getlist("tickets")
    form = BulkAssignForm(
        request.POST, handlers=selectors.handlers(), references=references[: PAGE_SIZE * 4]
    )
    if not form.is_valid() or not references:
        messages.error(request, _("Choose at least one ticket and a handler."))
        return redirect("feedback:queue")
    tickets = list(scoped.filter(reference__in=form.cleaned_data["tickets"]))
    count = handling.tickets_assign(
        tickets=tickets, handler=form.cleaned_data["handler"], actor=request.user
    )
    messages.success(
        request,
        _("%(count)d tickets assigned to %(handler)s.")
        % {"count": count, "handler": form.cleaned_data["handler"]},
    )
    return redirect("feedback:queue")


def _loggable_clients(request):
    # The feedback team logs feedback for any client (it has no client list, only this form); an
    # on-call RM also for the VIP callers their hotline calls opened.
    if request.user.role == Role.FEEDBACK_TEAM:
        return Client.objects.all()
    return hotline_clients_for_user(user=request.user, reached=hotline_reached(request))


@role_required(*STAFF)
def ticket_new(request):
    """Log feedback taken by phone, at the branch or from the web form. The hotline console links
    here with ?client=<id>&channel=phone&call=<id>."""
    clients = _loggable_clients(request)
    if request.method == "POST":
        form = TicketForm(request.POST, clients=clients, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            ticket = opening.ticket_create(
                channel=data["channel"],
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                client=form.client,
                created_by=request.user,
                call_id=data["call"],
                callback_id=data["callback"],
            )
            messages.success(
                request,
                _("Ticket %(reference)s logged; first response due %(due)s.")
                % {
                    "reference": ticket.reference,
                    "due": timezone.localtime(ticket.first_response_due_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
            )
            if selectors.tickets_for_user(user=request.user).filter(pk=ticket.pk).exists():
                return redirect("feedback:ticket_detail", reference=ticket.reference)
            return redirect("feedback:queue")
    else:
        form = TicketForm(
            initial=_ticket_initial(request, clients), clients=clients, user=request.user
        )
    return render(request, "feedback/ticket_form.html", {"form": form})


def _ticket_initial(request, clients) -> dict:
    """The new-ticket form as the links into it fill it: the dossier's ``?client=<id>``, the
    hotline's ``?channel=phone&call=<id>`` and a call-back's ``?channel=phone&callback=<id>``
    (its client, topic or month, and notes carry over; the ticket records the call or call-back
    as its source). A client, call or call-back the user may not see answers 404."""
    initial: dict = {}
    client_id = None  # the call's client (an out-of-scope caller's stays blank)
    for name, lookup in (("call", call_for_ticket), ("callback", callback_for_ticket)):
        if (pk := linked_id(request, name)) is None:
            continue
        if (source := lookup(user=request.user, pk=pk)) is None:
            raise Http404
        initial.update(
            {name: source.pk, "channel": Channel.PHONE, "subject": source.topic[:200]},
            description=source.notes,
        )
        client_id = source.client_id
        break
    asked = linked_id(request, "client")
    wanted = asked or client_id
    client = clients.filter(pk=wanted).first() if wanted is not None else None
    if asked is not None and client is None:
        raise Http404
    if client is not None:
        initial["client_no"] = client.client_no
    channels = {c for c, _label in TicketForm.base_fields["channel"].choices}
    if request.GET.get("channel") in channels:
        initial["channel"] = request.GET["channel"]
    return initial


@role_required(*STAFF)
def ticket_detail(request, reference: str):
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    audit.ticket_view_record(ticket=ticket, user=request.user)
    return _detail_page(request, ticket)


def _detail_page(request, ticket, **bound):
    """The ticket's page; ``bound`` replaces a blank form by the one the user sent back with its
    errors (its text kept), e.g. ``respond_form=form``."""
    is_team = selectors.user_is_team(request.user)
    can_open_dossier = (
        ticket.client_id is not None
        and hotline_clients_for_user(user=request.user, reached=hotline_reached(request))
        .filter(pk=ticket.client_id)
        .exists()
    )
    forms = {
        "assign_form": AssignForm(handlers=selectors.handlers()) if is_team else None,
        "respond_form": RespondForm(),
        # Its own ids: the respond form has a "body" field too (one id per page).
        "note_form": MessageForm(auto_id="note_%s"),
        "close_form": CloseForm(),
        "category_form": CategoryForm(initial={"category": ticket.category}, auto_id="cat_%s"),
        "link_form": LinkClientForm(),
    }
    return render(
        request,
        "feedback/ticket_detail.html",
        {
            "ticket": ticket,
            "sender": selectors.sender_as_typed(ticket),
            "unmatched_why": selectors.sender_unmatched_why(ticket),
            "thread": selectors.thread_for(ticket=ticket),
            "attachments": selectors.attachments_of(ticket=ticket),
            "is_team": is_team,
            "can_open_dossier": can_open_dossier,
            "survey": Survey.objects.filter(ticket=ticket).first(),
            "Kind": TicketMessage.Kind,
            **forms,
            **bound,
        },
    )


def _ticket_action(request, reference: str, act, success: str):
    """Run ``act(ticket)`` (a service call) on a ticket in the user's scope, then redirect to the
    ticket with ``success`` or the ValidationError's message (bad input or a state that does not
    allow it)."""
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    try:
        act(ticket)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"reference": ticket.reference})
    return redirect("feedback:ticket_detail", reference=ticket.reference)


def _text_action(request, reference: str, name: str, form, act, success: str):
    """A form with free text on the ticket's page (respond, resolve, note, close): ``act(ticket,
    data)`` runs the service; on success back to the ticket with ``success``. Refused input (the
    form's or the service's, e.g. ``handling.ticket_text``'s limit) shows the page again with the
    error on its field and the text kept, nothing written."""
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    if form.is_valid():
        try:
            act(ticket, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error if hasattr(error, "error_dict") else error.messages)
        else:
            messages.success(request, success % {"reference": ticket.reference})
            return redirect("feedback:ticket_detail", reference=ticket.reference)
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, " ".join(errors))
    return _detail_page(request, ticket, **{name: form})


@role_required(*TEAM)
@require_POST
def ticket_take(request, reference: str):
    def act(ticket):
        handling.ticket_assign(ticket=ticket, handler=request.user, actor=request.user)

    return _ticket_action(request, reference, act, _("You are now handling %(reference)s."))


@role_required(*TEAM)
@require_POST
def ticket_assign(request, reference: str):
    def act(ticket):
        form = AssignForm(request.POST, handlers=selectors.handlers())
        if not form.is_valid():
            raise ValidationError(_("Choose a handler from the feedback team."))
        handling.ticket_assign(
            ticket=ticket, handler=form.cleaned_data["handler"], actor=request.user
        )

    return _ticket_action(request, reference, act, _("%(reference)s assigned."))


@role_required(*TEAM)
@require_POST
def ticket_respond(request, reference: str):
    def act(ticket, data):
        replies.ticket_respond(
            ticket=ticket, author=request.user, body=data["body"], send_email=data["send_email"]
        )

    return _text_action(
        request,
        reference,
        "respond_form",
        RespondForm(request.POST),
        act,
        _("Response sent; the SLA clock of %(reference)s is stopped."),
    )


@role_required(*TEAM)
@require_POST
def ticket_resolve(request, reference: str):
    def act(ticket, data):
        replies.ticket_resolve(ticket=ticket, actor=request.user, resolution=data["body"])

    return _text_action(
        request,
        reference,
        "respond_form",
        RespondForm(request.POST),
        act,
        _("%(reference)s resolved; the satisfaction survey is on its way."),
    )


@role_required(*TEAM)
@require_POST
def ticket_category(request, reference: str):
    """The feedback team corrects a ticket's category (audited); analytics counts the new one.
    The category it has already changes nothing and says so."""
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category from the list."))
    else:
        try:
            changed = handling.ticket_category_set(
                ticket=ticket, category=form.cleaned_data["category"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if changed:
                text = _("Category of %(reference)s changed.")
            else:
                text = _("%(reference)s already has this category; nothing changed.")
            messages.success(request, text % {"reference": ticket.reference})
    return redirect("feedback:ticket_detail", reference=ticket.reference)


@role_required(*STAFF)
@require_POST
def ticket_note(request, reference: str):
    def act(ticket, data):
        handling.ticket_note_add(ticket=ticket, author=request.user, body=data["body"])

    form = MessageForm(request.POST, auto_id="note_%s")
    return _text_action(
        request, reference, "note_form", form, act, _("Note added to %(reference)s.")
    )


@role_required(*TEAM)
@require_POST
def ticket_close(request, reference: str):
    def act(ticket, data):
        handling.ticket_close(ticket=ticket, actor=request.user, reason=data["reason"])

    return _text_action(
        request, reference, "close_form", CloseForm(request.POST), act, _("%(reference)s closed.")
    )


@role_required(*TEAM)
@require_POST
def ticket_link_client(request, reference: str):
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    form = LinkClientForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["client_no"]))
        return redirect("feedback:ticket_detail", reference=ticket.reference)
    if handling.ticket_client_set(ticket=ticket, client=form.client, actor=request.user):
        text = _("%(reference)s linked to the client.")
    else:
        text = _("%(reference)s is already linked to this client; nothing changed.")
    messages.success(request, text % {"reference": ticket.reference})
    return redirect("feedback:ticket_detail", reference=ticket.reference)


def survey(request, token: str):
    """The client's one-time satisfaction survey: no login. A tampered or unknown link is 404, an
    expired one 410, an answered one a clear page; never a 500. Shown in the client's language
    until the visitor picks one with the page's language switch (its cookie)."""
    found = surveys.survey_from_token(token)
    if found is None:
        return render(request, "feedback/survey_closed.html", {"reason": "invalid"}, status=404)
    client = found.ticket.client
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        language = chosen
    else:
        language = client.preferred_language if client else translation.get_language()
    with translation.override(language):
        return _survey_page(request, found)


def _survey_page(request, found: Survey):
    if found.is_answered:
        return render(request, "feedback/survey_closed.html", {"reason": "answered"})
    if found.is_expired():
        return render(request, "feedback/survey_closed.html", {"reason": "expired"}, status=410)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_submit(
                survey=found,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except surveys.SurveyClosed:
            return render(request, "feedback/survey_closed.html", {"reason": "answered"})
        except ValidationError as error:
            # On its own field (a too long comment is not a missing score); the score stays.
            form.add_error(None, error)
        else:
            return render(request, "feedback/survey_closed.html", {"reason": "thanks"})
    return render(request, "feedback/survey.html", {"form": form, "survey": found})
