"""Pages of the service desk: hotline console, call-back worklist, wealth plans, events."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors import hotline_clients_for_user, user_sees_pii
from core import throttle
from core.access import (
    hotline_number,
    hotline_reached,
    hotline_remember_client,
    hotline_remember_number,
    role_required,
)
from core.ids import parse_id
from core.lists import Sorting
from core.phone import InvalidPhone, normalize_phone
from core.roles import Role
from feedback.selectors import open_ticket_count
from managers.selectors import active_assignment_for, who_answers
from servicedesk import selectors, services
from servicedesk.forms import (
    AllocationFormSet,
    CallbackOutcomeForm,
    CallLogForm,
    EventForm,
    InvitationForm,
    InviteForm,
    PhoneLookupForm,
    PlanStatusForm,
    WealthPlanForm,
)
from servicedesk.models import (
    CallbackStatus,
    PlanStatus,
    Rsvp,
)

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR
PAGE_SIZE = 25


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError, fields: set[str]) -> None:
    """Put a service's ValidationError on the form: known fields next to the field, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- Hotline -------------------------------------------------------------------------------------


@role_required(RM, BRANCH, SUPERVISOR)
def hotline(request):
    """The console's empty state: one big phone field. The number is POSTed, never put in a URL
    (access logs, history); a look-up leads to the caller's page under a keyed hash."""
    form = PhoneLookupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not throttle.allow(
            scope="hotline",
            key=str(request.user.pk),
            limit=settings.HOTLINE_LOOKUP_LIMIT,
            window=settings.HOTLINE_LOOKUP_WINDOW,
        ):
            form.add_error(None, _("Too many look-ups in a short time. Wait a few minutes."))
            status = 429
        else:
            try:
                normalized = normalize_phone(form.cleaned_data["phone"])
            except InvalidPhone as exc:
                form.add_error("phone", str(exc))
            else:
                key = hotline_remember_number(request, normalized)
                return redirect("servicedesk:hotline_caller", key=key)
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
            _apply_errors(call_form, ValidationError(str(exc)), set())
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
    logged = parse_id(request.GET.get("call"))
    if logged is not None:
        context["logged_call"] = (
            selectors.calls_for_user(user=request.user).filter(pk=logged).first()
        )
    if request.method == "GET" and client is not None:
        services.hotline_lookup_record(user=request.user, client=client, in_scope=in_scope)
    if in_scope:
        hotline_remember_client(request, client.pk)
        context |= _caller_card(request.user, client)
    return render(request, "servicedesk/hotline.html", context)


def _caller_card(user, client) -> dict:
    return {
        "c": client,
        "assignment": active_assignment_for(client=client),
        "show_pii": user_sees_pii(user=user, client=client),
        "last_callback": selectors.last_callback(client=client),
        "open_tickets": open_ticket_count(client=client),
    }


# --- Call-backs ------------------------------------------------------------------------------------

# Without a sort each tab keeps its own order (selectors.callbacks_tab).
CALLBACK_SORTING = Sorting(
    {
        "client": "client__name",
        "due": "due_on",
        "retry": "retry_on",
        "status": "status",
        "completed": "completed_at",
        "score": "satisfaction_score",
    }
)


@role_required(RM, SUPERVISOR)
def callback_list(request):
    today = timezone.localdate()
    tab = request.GET.get("tab", "week")
    if tab not in selectors.CALLBACK_TABS:
        tab = "week"
    qs = selectors.callbacks_for_user(user=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(client__name__icontains=query) | Q(client__client_no__icontains=query))
    counts = selectors.callback_tab_counts(qs, today=today)
    rows = selectors.callbacks_tab(qs, tab=tab, today=today)
    rows, sort = CALLBACK_SORTING.apply(rows, request.GET.get("sort"))
    return render(
        request,
        "servicedesk/callback_list.html",
        {
            "tab": tab,
            "counts": counts,
            "page_obj": _page(request, rows),
            "q": query,
            "sort": sort,
            "today": today,
            "week_end": today + timedelta(days=6),
            "show_phone": selectors.callback_phones_unmasked(user=request.user),
        },
    )


@role_required(RM, SUPERVISOR)
def callback_detail(request, pk: int):
    callback = selectors.callback_for_user(user=request.user, pk=pk)
    if request.method == "POST" and callback.is_completed:
        messages.error(request, _("This call-back is already completed."))
        return redirect("servicedesk:callback_detail", pk=callback.pk)
    form = CallbackOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.callback_complete(callback=callback, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc, set(form.fields))
        else:
            messages.success(request, _("Call-back outcome recorded."))
            return redirect(f"{reverse('servicedesk:callbacks')}?tab=week")
    history = list(
        selectors.callbacks_for_user(user=request.user)
        .filter(client=callback.client)
        .exclude(pk=callback.pk)
        .order_by("-period")[:6]
    )
    return render(
        request,
        "servicedesk/callback_detail.html",
        {
            "callback": callback,
            "form": form,
            "history": history,
            "today": timezone.localdate(),
            "statuses": CallbackStatus,
        },
    )


# --- Wealth plans ----------------------------------------------------------------------------------

PLAN_SORTING = Sorting(
    {
        "client": "client__name",
        "status": "status",
        "risk": "risk_level",
        "review": "next_review_on",
        "updated": "updated_at",
    },
    default="-updated",
)


@role_required(RM, SUPERVISOR)
def plan_list(request):
    today = timezone.localdate()
    qs = selectors.plans_for_user(user=request.user).annotate(product_count=Count("plan_products"))
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("review") == "due":
        qs = qs.filter(next_review_on__lte=today + timedelta(days=7)).exclude(
            status=PlanStatus.DECLINED
        )
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(client__name__icontains=query) | Q(client__client_no__icontains=query))
    qs, sort = PLAN_SORTING.apply(qs, request.GET.get("sort"))
    return render(
        request,
        "servicedesk/plan_list.html",
        {
            "page_obj": _page(request, qs),
            "statuses": PlanStatus.choices,
            "status": status,
            "q": query,
            "sort": sort,
            "review": request.GET.get("review", ""),
            "review_by": today + timedelta(days=7),
        },
    )


def _plan_form_page(request, *, client, plan=None):
    initial = {"risk_level": client.risk_level}
    alloc_initial = []
    if plan is not None:
        initial = {
            "goals": plan.goals,
            "horizon_months": plan.horizon_months,
            "risk_level": plan.risk_level,
            "products": list(plan.products.all()),
            "advice": plan.advice,
            "next_review_on": plan.next_review_on,
        }
        alloc_initial = [
            {"asset_class": a.asset_class, "percent": a.percent} for a in plan.allocations.all()
        ]
    data = request.POST if request.method == "POST" else None
    form = WealthPlanForm(data, initial=initial)
    formset = AllocationFormSet(data, initial=alloc_initial, prefix="alloc")
    if data is not None and form.is_valid() & formset.is_valid():
        values = {
            "goals": form.cleaned_data["goals"],
            "horizon_months": form.cleaned_data["horizon_months"],
            "risk_level": form.cleaned_data["risk_level"],
            "allocations": formset.rows(),
            "products": list(form.cleaned_data["products"]),
            "advice": form.cleaned_data["advice"],
            "next_review_on": form.cleaned_data["next_review_on"],
        }
        try:
            if plan is None:
                plan = services.wealth_plan_create(client=client, by=request.user, **values)
            else:
                plan = services.wealth_plan_update(plan=plan, **values)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "allocations" in exc.message_dict:
                for message in exc.message_dict["allocations"]:
                    form.add_error(None, message)
                exc = ValidationError(
                    {k: v for k, v in exc.message_dict.items() if k != "allocations"}
                    or _("Please correct the errors below.")
                )
            _apply_errors(form, exc, set(form.fields))
        else:
            messages.success(request, _("Wealth plan saved."))
            return redirect("servicedesk:plan_detail", pk=plan.pk)
    return render(
        request,
        "servicedesk/plan_form.html",
        {"form": form, "formset": formset, "client": client, "plan": plan},
    )


@role_required(RM, SUPERVISOR)
def plan_new(request):
    client_id = request.GET.get("client", "")
    client_no = request.GET.get("client_no", "").strip()
    clients = selectors.plan_clients_for_user(user=request.user)
    if client_no:
        client = clients.filter(client_no=client_no).first()
        if client is None:
            messages.error(request, _("None of your clients has that client number."))
            return redirect("servicedesk:plan_new")
        return redirect(f"{reverse('servicedesk:plan_new')}?client={client.pk}")
    if not client_id:
        return render(request, "servicedesk/plan_pick_client.html", {})
    client_pk = parse_id(client_id)
    if client_pk is None:
        raise Http404
    client = clients.filter(pk=client_pk).first()
    if client is None:
        raise Http404
    return _plan_form_page(request, client=client)


@role_required(RM, SUPERVISOR)
def plan_detail(request, pk: int):
    plan = selectors.plan_for_user(user=request.user, pk=pk)
    allocations = list(plan.allocations.all())
    return render(
        request,
        "servicedesk/plan_detail.html",
        {
            "plan": plan,
            "allocations": allocations,
            "products": list(plan.products.all()),
            "next_statuses": [
                (value, label) for value, label in PlanStatus.choices if plan.can_become(value)
            ],
            "chart_labels": [a.get_asset_class_display() for a in allocations],
            "chart_values": [str(a.percent) for a in allocations],
        },
    )


@role_required(RM, SUPERVISOR)
def plan_edit(request, pk: int):
    plan = selectors.plan_for_user(user=request.user, pk=pk)
    if not plan.is_editable:
        messages.error(request, _("An accepted or declined plan can no longer be changed."))
        return redirect("servicedesk:plan_detail", pk=plan.pk)
    return _plan_form_page(request, client=plan.client, plan=plan)


@role_required(RM, SUPERVISOR)
@require_POST
def plan_status(request, pk: int):
    plan = selectors.plan_for_user(user=request.user, pk=pk)
    form = PlanStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect("servicedesk:plan_detail", pk=plan.pk)
    try:
        services.wealth_plan_set_status(
            plan=plan, status=form.cleaned_data["status"], by=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Plan status changed."))
    return redirect("servicedesk:plan_detail", pk=plan.pk)


# --- Events ----------------------------------------------------------------------------------------

EVENT_SORTING = Sorting(
    {"date": "held_on", "title": "title", "cost": "cost", "invited": "invited"}, default="-date"
)


@role_required(RM, SUPERVISOR)
def event_list(request):
    today = timezone.localdate()
    invited_scope = selectors.invitations_for_user(user=request.user).values("pk")
    qs = selectors.events_for_user(user=request.user).annotate(
        invited=Count("invitations", filter=Q(invitations__in=invited_scope), distinct=True),
        accepted=Count(
            "invitations",
            filter=Q(invitations__in=invited_scope, invitations__rsvp=Rsvp.ACCEPTED),
            distinct=True,
        ),
        attended=Count(
            "invitations",
            filter=Q(invitations__in=invited_scope, invitations__attended=True),
            distinct=True,
        ),
    )
    when = request.GET.get("when", "")
    if when == "upcoming":
        qs = qs.filter(held_on__gte=today)
    elif when == "past":
        qs = qs.filter(held_on__lt=today)
    year = request.GET.get("year", "")
    valid_year = year.isascii() and year.isdigit() and len(year) == 4 and 1900 < int(year) < 3000
    if valid_year:
        qs = qs.filter(held_on__year=int(year))
    qs, sort = EVENT_SORTING.apply(qs, request.GET.get("sort"))
    spend_year = int(year) if valid_year else today.year
    monthly = selectors.event_spend_by_month(year=spend_year)
    return render(
        request,
        "servicedesk/event_list.html",
        {
            "page_obj": _page(request, qs),
            "when": when,
            "year": year,
            "sort": sort,
            "today": today,
            "spend": selectors.event_spend(year=spend_year),
            "spend_year": spend_year,
            "monthly": list(enumerate(monthly, start=1)),
            "chart_values": [str(v) for v in monthly],
        },
    )


@role_required(SUPERVISOR)
def event_new(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(**form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc, set(form.fields))
        else:
            messages.success(request, _("Event created. Now invite clients."))
            return redirect("servicedesk:event_detail", pk=event.pk)
    return render(request, "servicedesk/event_form.html", {"form": form})


@role_required(RM, SUPERVISOR)
def event_detail(request, pk: int):
    event = selectors.event_for_user(user=request.user, pk=pk)
    invite_form = InviteForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        data = invite_form.cleaned_data
        added = services.event_invite(
            event=event,
            clients=selectors.plan_clients_for_user(user=request.user),
            branch_id=data["branch"].pk if data["branch"] else None,
            status=data["status"] or None,
            interests=data["interests"],
        )
        messages.success(request, _("%(n)d clients invited.") % {"n": added})
        return redirect("servicedesk:event_detail", pk=event.pk)
    invitations = selectors.invitations_for_user(user=request.user).filter(event=event)
    rsvp = request.GET.get("rsvp", "")
    if rsvp in Rsvp.values:
        invitations = invitations.filter(rsvp=rsvp)
    invitations = invitations.order_by("client__name", "pk")
    return render(
        request,
        "servicedesk/event_detail.html",
        {
            "event": event,
            "invite_form": invite_form,
            "page_obj": _page(request, invitations),
            "rsvp": rsvp,
            "rsvp_choices": Rsvp.choices,
            "is_past": event.held_on < timezone.localdate(),
        },
    )


@role_required(RM, SUPERVISOR)
@require_POST
def invitation_update(request, pk: int):
    invitation = selectors.invitation_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer from the list."))
    else:
        try:
            services.invitation_update(invitation=invitation, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Invitation updated."))
    return redirect("servicedesk:event_detail", pk=invitation.event_id)
