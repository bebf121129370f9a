"""VIP events: list with spend, new, detail with invitations by filter, RSVP and attendance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.forms import errors_to_form
from core.lists import Sorting, page_of
from core.roles import Role
from servicedesk import selectors, services
from servicedesk.forms import EventFilter, EventForm, InvitationFilter, InvitationForm, InviteForm
from servicedesk.models import Rsvp

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR


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
    filters = EventFilter.of(request, qs)
    qs, sort = EVENT_SORTING.apply(filters.qs, request.GET.get("sort"))
    spend_year = filters.value("year") or today.year
    monthly = selectors.event_spend_by_month(year=spend_year)
    return render(
        request,
        "servicedesk/event_list.html",
        {
            "page_obj": page_of(request, qs),
            "when": filters.value("when"),
            "year": filters.value("year"),
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
            errors_to_form(form, exc)
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
    filters = InvitationFilter.of(request, invitations)
    invitations = filters.qs.order_by("client__name", "pk")
    return render(
        request,
        "servicedesk/event_detail.html",
        {
            "event": event,
            "invite_form": invite_form,
            "page_obj": page_of(request, invitations),
            "rsvp": filters.value("rsvp"),
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
