from functools import partial

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.roles import Role
from dataruns.forms import ForceRunForm
from dataruns.models import NightRun, NightTrigger
from dataruns.services import RunRefused, night_run_claim, night_run_retry
from programme.tasks import night_run_execute_task


@role_required(Role.SUPERVISOR)
@require_POST
def night_force(request):
    """A supervisor forces the reclassification for a date (a late set), with a reason; it runs
    on a worker, and the data runs page shows it."""
    form = ForceRunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("dataruns:list")
    try:
        with transaction.atomic():
            run = night_run_claim(
                day=form.cleaned_data["business_date"],
                trigger=NightTrigger.FORCED,
                requested_by=request.user,
                reason=form.cleaned_data["reason"],
            )
            transaction.on_commit(partial(night_run_execute_task.delay, run.pk))
    except RunRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("The reclassification for %(day)s is forced; it runs in the background.")
            % {"day": run.business_date.isoformat()},
        )
    return redirect("dataruns:list")


@role_required(Role.SUPERVISOR)
@require_POST
def night_again(request, pk: int):
    """Run a stopped reclassification again (its worker died): its steps do what is missing."""
    run = get_object_or_404(NightRun, pk=pk)
    try:
        with transaction.atomic():
            queued = night_run_retry(run_id=run.pk, actor=request.user)
            if queued is not None:
                transaction.on_commit(partial(night_run_execute_task.delay, run.pk))
    except RunRefused as refused:
        messages.error(request, str(refused))
        return redirect("dataruns:list")
    if queued is None:
        messages.info(
            request, _("The run is not stopped: the data runs page shows where it stands.")
        )
    else:
        messages.success(
            request,
            _("The reclassification for %(day)s runs again in the background.")
            % {"day": run.business_date.isoformat()},
        )
    return redirect("dataruns:list")
