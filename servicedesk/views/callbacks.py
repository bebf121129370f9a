"""The monthly call-back worklist: tabs (due this week, open, overdue, done) and the outcome."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import role_required
from core.forms import errors_to_form
from core.lists import Sorting, page_of
from core.roles import Role
from servicedesk import selectors, services
from servicedesk.forms import CallbackFilter, CallbackOutcomeForm
from servicedesk.models import CallbackStatus

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR


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
    filters = CallbackFilter.of(request, selectors.callbacks_for_user(user=request.user))
    qs = filters.qs
    counts = selectors.callback_tab_counts(qs, today=today)
    rows = selectors.callbacks_tab(qs, tab=tab, today=today)
    rows, sort = CALLBACK_SORTING.apply(rows, request.GET.get("sort"))
    return render(
        request,
        "servicedesk/callback_list.html",
        {
            "tab": tab,
            "counts": counts,
            "page_obj": page_of(request, rows),
            "q": filters.value("q"),
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
            errors_to_form(form, exc)
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
