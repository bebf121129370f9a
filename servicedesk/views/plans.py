"""Wealth plans: list, new (pick the client first), detail, edit, status."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.forms import errors_to_form
from core.ids import parse_id
from core.lists import Sorting, page_of
from core.roles import Role
from servicedesk import selectors, services
from servicedesk.forms import (
    REVIEW_DUE_DAYS,
    AllocationFormSet,
    PlanFilter,
    PlanStatusForm,
    WealthPlanForm,
)
from servicedesk.models import PlanStatus

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR


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
    filters = PlanFilter.of(request, qs)
    qs, sort = PLAN_SORTING.apply(filters.qs, request.GET.get("sort"))
    return render(
        request,
        "servicedesk/plan_list.html",
        {
            "page_obj": page_of(request, qs),
            "statuses": PlanStatus.choices,
            "status": filters.value("status"),
            "q": filters.value("q"),
            "sort": sort,
            "review": filters.value("review"),
            "review_by": today + timedelta(days=REVIEW_DUE_DAYS),
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
            errors_to_form(form, exc)
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
