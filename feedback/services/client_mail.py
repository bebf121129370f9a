"""What reaches the client by mail: the address a ticket answers to and the outbox mail of a reply
in the ticket's thread, queued in the caller's transaction and sent after commit."""

from django.core.mail import EmailMessage as DjangoEmail

from core.outbox import mail_enqueue
from feedback.models import Ticket


def send_after_commit(mail: DjangoEmail) -> None:
    """Queue the mail in the outbox, in this transaction: a job sends it once the transaction
    commits (a rolled-back change never reaches the client), and a mail server or broker outage
    only delays it."""
    mail_enqueue(
        to=mail.to, subject=str(mail.subject), body=str(mail.body), headers=mail.extra_headers
    )


def client_address(ticket: Ticket) -> str:
    client = ticket.client if ticket.client_id else None
    if client is not None and client.email:
        return client.email
    return ticket.sender_email


def mail_client(ticket: Ticket, *, subject: str, body: str, message_id: str) -> None:
    address = client_address(ticket)
    if not address:
        return
    headers = {"Message-ID": message_id}
    if ticket.source_message_id:
        headers["In-Reply-To"] = ticket.source_message_id
        headers["References"] = ticket.source_message_id
    mail = DjangoEmail(
        subject=f"[{ticket.reference}] {subject}", body=body, to=[address], headers=headers
    )
    send_after_commit(mail)
