from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.roles import Role
from retention import selectors, services
from retention.forms import CloseForm


@role_required(Role.RELATIONSHIP_MANAGER, Role.SUPERVISOR)
@require_POST
def task_close(request, pk: int):
    """Close a retention task with its outcome (from the RM's home)."""
    if not selectors.tasks_for(user=request.user).filter(pk=pk).exists():
        raise Http404
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome."))
        return redirect("core:home")
    try:
        services.retention_task_close(
            task_id=pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Retention task closed."))
    return redirect("core:home")
