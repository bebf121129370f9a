from django.shortcuts import render
from django.utils import timezone

from core.access import role_required
from core.roles import Role
from dataruns import selectors
from dataruns.forms import ForceRunForm
from dataruns.inbox import inbox_dir, inbox_sets


@role_required(Role.SUPERVISOR)
def run_list(request):
    """Each business date: the files taken in (rows, seconds, outcome, errors) and the
    reclassifications (trigger, who forced it and why); above them, what the inbox holds now
    and whether the night's run waits for data."""
    newest = selectors.newest_imported_date()
    last = selectors.last_run_date()
    return render(
        request,
        "dataruns/run_list.html",
        {
            "days": selectors.days(),
            "newest": newest,
            "last": last,
            "waiting_for_data": newest is not None and selectors.run_done_on_data(day=newest),
            "inbox": inbox_sets(inbox_dir()),
            "today": timezone.localdate(),
            "form": ForceRunForm(initial={"business_date": timezone.localdate()}),
        },
    )
