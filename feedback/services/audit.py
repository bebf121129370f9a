"""Audit records of what staff read and download in the feedback app: ticket views, queue
exports, attachments and held mail."""

from core.models import User
from core.services import audit_record
from feedback.models import HeldMail, Ticket, TicketAttachment


def ticket_view_record(*, ticket: Ticket, user: User) -> None:
    audit_record(actor=user, event="feedback.ticket_viewed", instance=ticket)


def queue_export_record(*, user: User, rows: int, filters: list[str]) -> None:
    """Audit an export of the queue: the row count and the names of the filters used."""
    audit_record(
        actor=user, event="feedback.queue_exported", detail={"rows": rows, "filters": filters}
    )


def attachment_download_record(*, attachment: TicketAttachment, user: User) -> None:
    audit_record(
        actor=user,
        event="feedback.attachment_downloaded",
        instance=attachment.ticket,
        detail={"attachment": attachment.pk, "filename": attachment.filename},
    )


def held_mail_download_record(*, held: HeldMail, user: User) -> None:
    audit_record(actor=user, event="feedback.held_mail_downloaded", instance=held)
