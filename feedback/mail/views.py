"""Pages of the mail intake: a ticket's attachments (for whoever may see the ticket) and the
held email list for the feedback team lead, with its two actions (SPEC section 6, "Mail")."""

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_required
from core.lists import page_of
from core.roles import Role
from feedback import selectors
from feedback.forms import HeldMailFilter
from feedback.mail.review import HeldMailClosed, held_mail_reprocess, held_mail_ticket_open
from feedback.models import HeldMail
from feedback.services.audit import attachment_download_record, held_mail_download_record

STAFF = (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.FEEDBACK_TEAM, Role.SUPERVISOR)
REVIEWERS = (Role.FEEDBACK_TEAM, Role.SUPERVISOR)
PAGE_SIZE = 50


def _download(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Always a download (never shown inline), under the type we decided, not the sender's."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*STAFF)
def attachment_download(request, reference: str, pk: int):
    ticket = selectors.ticket_for_user(user=request.user, reference=reference)
    attachment = selectors.attachments_of(ticket=ticket).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    response = _download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
    attachment_download_record(attachment=attachment, user=request.user)
    return response


def _held_or_404(request, pk: int) -> HeldMail:
    item = selectors.held_mail_for_user(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@role_required(*REVIEWERS)
def held_mail(request):
    """Ignored (automated) and quarantined email, newest first, with the reason for each."""
    if not selectors.may_review_held_mail(request.user):
        raise Http404
    filters = HeldMailFilter.of(request, selectors.held_mail_for_user(user=request.user))
    page = page_of(request, filters.qs, size=PAGE_SIZE)
    return render(
        request,
        "feedback/held_mail.html",
        {
            "page_obj": page,
            "items": page.object_list,
            "kind": filters.value("kind"),
            "Kind": HeldMail.Kind,
        },
    )


@role_required(*REVIEWERS)
def held_mail_raw(request, pk: int):
    """The raw bytes of a quarantined email, as a file to open in a mail program."""
    item = _held_or_404(request, pk)
    if not item.raw:
        raise Http404
    response = _download(
        item.raw, filename=f"held-{item.pk}.eml", content_type="application/octet-stream"
    )
    held_mail_download_record(held=item, user=request.user)
    return response


@role_required(*REVIEWERS)
@require_POST
def held_mail_process(request, pk: int):
    """Process a quarantined email again, once its cause is fixed."""
    item = _held_or_404(request, pk)
    try:
        item = held_mail_reprocess(held=item, user=request.user)
    except HeldMailClosed:
        messages.info(request, _("This email was processed again already."))
    except (OperationalError, InterfaceError):
        messages.error(request, _("The database is not reachable; nothing was changed. Try again."))
    else:
        text = _("Processed again: %(outcome)s.") % {"outcome": item.get_outcome_display()}
        if item.result_ticket:
            return _to_ticket(request, item.result_ticket.reference, text)
        messages.success(request, text)
    return redirect("feedback:held_mail")


@role_required(*REVIEWERS)
@require_POST
def held_mail_open_ticket(request, pk: int):
    """Open an ignored (automated) email as a ticket anyway."""
    item = _held_or_404(request, pk)
    try:
        ticket = held_mail_ticket_open(held=item, user=request.user)
    except HeldMailClosed:
        messages.info(request, _("This email was processed again already."))
        return redirect("feedback:held_mail")
    return _to_ticket(request, ticket.reference, _("Ticket opened from the ignored email."))


def _to_ticket(request, reference: str, text: str):
    messages.success(request, f"{text} {reference}")
    return redirect("feedback:ticket_detail", reference)
