from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import selectors, services
from approvals.forms import RejectForm
from approvals.models import Proposal, ProposalStatus
from approvals.registry import handler_for
from core.access import role_required
from core.lists import page_of
from core.roles import Role


def _proposal_or_404(request, pk: int) -> Proposal:
    try:
        return selectors.proposal_for(user=request.user, pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


def _detail_page(request, proposal: Proposal, form: RejectForm):
    """The proposal's page: what it would change, and the rejection form (empty, or as posted
    with its errors)."""
    return render(
        request,
        "approvals/proposal_detail.html",
        {
            "proposal": proposal,
            "rows": handler_for(proposal.kind).describe(proposal.payload),
            "mine": proposal.proposed_by_id == request.user.pk,
            "form": form,
            "now": timezone.now(),
        },
    )


@role_required(Role.SUPERVISOR)
def proposal_list(request):
    """Pending proposals first (oldest on top, with their age), then the decided ones."""
    status = request.GET.get("status", ProposalStatus.PENDING)
    if status not in ProposalStatus.values:
        status = ProposalStatus.PENDING
    proposals = selectors.proposals_for(user=request.user).filter(status=status)
    order = "proposed_at" if status == ProposalStatus.PENDING else "-decided_at"
    page_obj = page_of(request, proposals.order_by(order, "pk"))
    return render(
        request,
        "approvals/proposal_list.html",
        {
            "page_obj": page_obj,
            "status": status,
            "statuses": ProposalStatus.choices,
            "now": timezone.now(),
        },
    )


@role_required(Role.SUPERVISOR)
def proposal_detail(request, pk: int):
    proposal = _proposal_or_404(request, pk)
    return _detail_page(request, proposal, RejectForm())


@role_required(Role.SUPERVISOR)
@require_POST
def proposal_approve(request, pk: int):
    proposal = _proposal_or_404(request, pk)
    try:
        services.proposal_approve(proposal_id=proposal.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved: the change has been made."))
    return redirect("approvals:detail", pk=proposal.pk)


@role_required(Role.SUPERVISOR)
def proposal_reject(request, pk: int):
    proposal = _proposal_or_404(request, pk)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_reject(
                proposal_id=proposal.pk, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Rejected: the proposer has been told why."))
        return redirect("approvals:detail", pk=proposal.pk)
    return _detail_page(request, proposal, form)


@role_required(Role.SUPERVISOR)
@require_POST
def proposal_withdraw(request, pk: int):
    proposal = _proposal_or_404(request, pk)
    try:
        services.proposal_withdraw(proposal_id=proposal.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("approvals:detail", pk=proposal.pk)
