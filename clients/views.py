from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import four_eyes, selectors, services
from clients.corebanking.report import KIND_LABELS
from clients.corebanking.uploads import corebanking_upload_create, corebanking_upload_retry
from clients.forms import (
    ClientFilter,
    ImportForm,
    OverrideForm,
    PreferencesForm,
    VipPolicyProposalForm,
)
from clients.models import CorebankingUpload, StatusOverride, VipPolicy
from clients.qualification.explain import qualification_explain
from clients.qualification.overrides import (
    OverrideError,
    status_override_revoke,
)
from clients.tasks import corebanking_upload_import
from core.access import hotline_reached, role_required, search_remember, search_text
from core.exports import csv_response
from core.lists import page_of
from core.masking import id_number_shown
from core.paging import CappedPaginator
from core.registry import dossier_panel_for, dossier_panels_for, rm_directory
from core.roles import Role
from core.services import audit_record_with_read, filters_used

RM, BRANCH, SUPERVISOR = Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.SUPERVISOR
PAGE_SIZE = 50
# The client list counts up to this many matches (200 pages); beyond, it asks for a narrower search.
LIST_COUNT_CAP = 10_000
REVEALED = selectors.REVEALED_SESSION_KEY
# What a list row shows (client_list.html; the badge reads status and at_risk_since).
LIST_COLUMNS = (
    "client_no",
    "name",
    "phone",
    "kind",
    "status",
    "at_risk_since",
    "total_assets",
    "branch",
    "branch__name",
)
CLIENT_EXPORT_COLUMNS = ["client_no", "name", "kind", "branch", "status", "total_assets", "rm"]


# The list's own parameters besides the search text: passed on by the search's redirect.
LIST_PARAMS = ("status", "kind", "branch", "rm", "at_risk", "sort")


def _search_query(request) -> str:
    """The list's search text: from the session by its key (``s``, what the search forms send), or
    a plain ``q`` (links and scripts; the product's own forms never put the text in a URL)."""
    key = request.GET.get("s", "")
    found = search_text(request, key) if key else None
    return (found if found is not None else request.GET.get("q", "")).strip()[:100]


@role_required(RM, BRANCH, SUPERVISOR)
@require_POST
def client_search(request):
    """A search from the header box or the list's filters, by POST: the text (a phone number,
    often) is kept in the session and the results' URL carries its key, so no number reaches an
    access log, the browser history or a Referer (issue 13). The list then opens a single match's
    dossier, as a search always did."""
    q = request.POST.get("q", "").strip()[:100]
    params = {name: request.POST[name] for name in LIST_PARAMS if request.POST.get(name)}
    if q:
        params = {"s": search_remember(request, q), **params}
    url = reverse("clients:list")
    return redirect(f"{url}?{urlencode(params)}" if params else url)


@role_required(RM, BRANCH, SUPERVISOR)
def client_list(request):
    q = _search_query(request)
    sort = selectors.CLIENT_SORTING.key(request.GET.get("sort"))
    base = selectors.client_list(user=request.user, q=q, sort=sort)
    filterset = ClientFilter(request.GET, user=request.user)
    qs = filterset.filter(base)
    if q:
        first_two = list(qs.values_list("pk", flat=True)[:2])
        if len(first_two) == 1:
            return redirect("clients:detail", pk=first_two[0])
    # Up to a million rows: counted up to a cap, see core.paging.
    page = page_of(
        request,
        qs.only(*LIST_COLUMNS),
        size=PAGE_SIZE,
        paginator=partial(CappedPaginator, cap=LIST_COUNT_CAP),
    )
    columns = [
        ("client_no", _("Client no.")),
        ("name", _("Name")),
        ("kind", _("Kind")),
        ("branch", _("Branch")),
        ("status", _("Status")),
        ("rm", _("RM")),
        ("assets", _("Total assets")),
    ]
    return render(
        request,
        "clients/client_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "q": q,
            "sort": sort,
            "columns": columns,
            # Lists mask PII for everyone but the own RM: supervisors see a client's full ID and
            # phone only through the dossier's audited reveal (issue 13).
            "mask_pii": True,
            "can_export": request.user.is_service_wide,
            # A row's dossier is this prefix + its pk + "/" (clients/urls.py): no reverse() per row.
            "detail_prefix": reverse("clients:list"),
        },
    )


@role_required(SUPERVISOR)
def client_export(request):
    """The filtered client list as CSV (supervisors), audited."""
    base = selectors.client_list(
        user=request.user, q=_search_query(request), sort=request.GET.get("sort", "")
    )
    qs = ClientFilter(request.GET, user=request.user).filter(base)
    services.client_list_export_record(user=request.user, filters=filters_used(request.GET))
    rows = (
        [c.client_no, c.name, c.kind, c.branch.code, c.status, c.total_assets, c.rm_name]
        for c in qs.iterator(chunk_size=2000)
    )
    return csv_response(filename="clients.csv", header=CLIENT_EXPORT_COLUMNS, rows=rows)


@role_required(RM, BRANCH, SUPERVISOR)
def client_detail(request, pk: int):
    """The dossier's first screen (header card, qualification, assets) from a handful of queries,
    read in one transaction with the view's audit record (no commit of its own). The sections
    below it are panels fetched on their own (``client_panel``)."""
    today = timezone.localdate()
    with transaction.atomic():
        client = selectors.client_for_user(
            user=request.user, pk=pk, reached=hotline_reached(request)
        )
        assignment = rm_directory().active_assignment(client)
        criteria = qualification_explain(client=client, as_of=today)
        accounts = list(selectors.accounts_with_latest_balance(client=client))
        trend = selectors.asset_trend(client=client, today=today)
        audit_record_with_read(actor=request.user, event="dossier.view", instance=client)
    sees_pii = selectors.user_sees_pii(user=request.user, client=client, assignment=assignment)
    revealed = sees_pii and selectors.pii_revealed(
        user=request.user,
        client=client,
        revealed_ids=request.session.get(REVEALED, []),
        assignment=assignment,
    )
    panels = [
        (panel, reverse("clients:panel", args=[client.pk, panel.key]))
        for panel in dossier_panels_for(request.user.role)
    ]
    context = {
        "client": client,
        "assignment": assignment,
        "sees_pii": sees_pii,
        "revealed": revealed,
        "id_number": id_number_shown(client.id_number, revealed=revealed),
        "criteria": criteria,
        "assets_now": criteria[0].value,
        "accounts": accounts,
        "trend": trend,
        "trend_data": {
            "labels": [d.isoformat() for d, _total in trend],
            "values": [float(total) for _d, total in trend],
            "label": _("Total assets"),
        },
        "panels": panels,
        "today": today,
    }
    return render(request, "clients/client_detail.html", context)


@role_required(RM, BRANCH, SUPERVISOR)
def client_panel(request, pk: int, key: str):
    """One dossier panel: an HTML fragment when the dossier's script asks for it (header
    ``X-Fragment``), else a page of its own (no script, or a link opened in a new tab)."""
    panel = dossier_panel_for(request.user.role, key)
    if panel is None:
        raise Http404
    client = selectors.client_for_user(user=request.user, pk=pk, reached=hotline_reached(request))
    context = {
        "client": client,
        "panel_url": request.path,
        **panel.context(request=request, client=client),
    }
    if request.headers.get("X-Fragment"):
        return render(request, panel.template, context)
    return render(request, "clients/panel_page.html", {**context, "panel": panel})


@role_required(RM, SUPERVISOR)
@require_POST
def client_reveal(request, pk: int):
    """Show the unmasked ID number and phone on the dossier, for those allowed; audited."""
    client = selectors.client_for_user(user=request.user, pk=pk)
    if not selectors.user_sees_pii(user=request.user, client=client):
        raise Http404
    services.client_pii_reveal_record(user=request.user, client=client)
    revealed = [*request.session.get(REVEALED, [])[-20:], client.pk]
    request.session[REVEALED] = revealed
    return redirect("clients:detail", pk=client.pk)


@role_required(RM, SUPERVISOR)
@require_POST
def client_preferences(request, pk: int):
    client = selectors.client_for_user(user=request.user, pk=pk)
    if not selectors.user_sees_pii(user=request.user, client=client):
        raise Http404
    form = PreferencesForm(request.POST, instance=client)
    if form.is_valid():
        services.client_preferences_update(client=client, data=form.cleaned_data)
        messages.success(request, _("Preferences saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(f"{client.get_absolute_url()}#preferences")


@role_required(SUPERVISOR)
@require_POST
def override_create(request, pk: int):
    client = selectors.client_for_user(user=request.user, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            proposal = four_eyes.status_override_request(
                client=client,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                ends_on=form.cleaned_data["ends_on"],
                by=request.user,
            )
        except (OverrideError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if proposal is None:
                messages.success(request, _("Status override saved."))
            else:
                messages.success(
                    request,
                    _("Proposed: the override takes effect when a second supervisor approves it."),
                )
                return redirect("approvals:detail", pk=proposal.pk)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect(f"{client.get_absolute_url()}#overrides")


@role_required(SUPERVISOR)
@require_POST
def override_revoke(request, pk: int, override_pk: int):
    client = selectors.client_for_user(user=request.user, pk=pk)
    override = get_object_or_404(StatusOverride, pk=override_pk, client=client)
    status_override_revoke(override=override, revoked_by=request.user)
    messages.success(request, _("Override revoked: the nightly run applies the rule again."))
    return redirect(f"{client.get_absolute_url()}#overrides")


@role_required(SUPERVISOR)
def corebanking_upload(request):
    """Upload a core-banking file: recorded here, imported by a worker (the same import as the
    command line), followed on the upload's own page."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = corebanking_upload_create(
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
                actor=request.user,
            )
            transaction.on_commit(partial(corebanking_upload_import.delay, upload.pk))
            return redirect(upload)
    else:
        form = ImportForm()
    return render(
        request,
        "clients/import.html",
        {
            "form": form,
            "uploads": CorebankingUpload.objects.select_related("requested_by")[:10],
            "kind_labels": KIND_LABELS,
        },
    )


@role_required(SUPERVISOR)
def corebanking_upload_detail(request, pk: int):
    """One upload: its progress while the worker imports (the page polls ``..._status``), then
    the counts or every bad row shown (the first 500)."""
    upload = get_object_or_404(CorebankingUpload, pk=pk)
    return render(request, "clients/import_run.html", {"upload": upload})


@role_required(SUPERVISOR)
@require_POST
def corebanking_upload_again(request, pk: int):
    """Import a stopped upload again (its worker died), from the file kept for it."""
    upload = get_object_or_404(CorebankingUpload, pk=pk)
    with transaction.atomic():
        queued = corebanking_upload_retry(upload_id=upload.pk, actor=request.user)
        if queued is not None:
            transaction.on_commit(partial(corebanking_upload_import.delay, upload.pk))
    if queued is None:
        messages.info(request, _("The import is not stopped: its page shows where it stands."))
    else:
        messages.success(request, _("The file is queued to be imported again."))
    return redirect(upload)


@role_required(SUPERVISOR)
def corebanking_upload_status(request, pk: int):
    """The progress bar's JSON: status, rows read, percent, whether it has finished, whether
    it has waited too long for a worker (the page then says the worker may not be running), and
    whether its worker stopped (the page then offers to import it again)."""
    upload = get_object_or_404(CorebankingUpload, pk=pk)
    return JsonResponse(
        {
            "status": upload.status,
            "status_label": upload.get_status_display(),
            "rows_read": upload.rows_read,
            "percent": upload.percent,
            "done": upload.done,
            "not_started": upload.not_started,
            "stopped": upload.stopped,
        }
    )


@role_required(SUPERVISOR)
def policy(request):
    """The VIP policy versions, and a new version proposed for a second supervisor's approval."""
    today = timezone.localdate()
    current = VipPolicy.in_force_on(today)
    initial = {
        name: getattr(current, name)
        for name in VipPolicyProposalForm.Meta.fields
        if name not in ("version", "effective_from")
    }
    form = VipPolicyProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = four_eyes.vip_policy_change_request(
                data=request.POST.dict(), reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if proposal is None:
                messages.success(request, _("The new policy version is saved."))
                return redirect("clients:policy")
            messages.success(
                request,
                _("Proposed: the policy takes effect when a second supervisor approves it."),
            )
            return redirect("approvals:detail", pk=proposal.pk)
    return render(
        request,
        "clients/policy.html",
        {"form": form, "current": current, "versions": VipPolicy.objects.all()[:50]},
    )
