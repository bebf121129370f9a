"""The satisfaction survey sent when a ticket is resolved: its signed one-time link, the mail,
and the client's answer."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as DjangoEmail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import SURVEY_COMMENT_MAX_LENGTH, Survey, Ticket
from feedback.services.client_mail import client_address, send_after_commit
from feedback.services.notices import ticket_url
from feedback.services.unhappy_clients import unhappy_client_follow_up

SURVEY_SALT = "feedback.survey"


def survey_link(survey: Survey) -> str:
    signed = signing.Signer(salt=SURVEY_SALT).sign(survey.token)
    return settings.SITE_URL.rstrip("/") + reverse("feedback:survey", args=[signed])


def survey_from_token(signed: str) -> Survey | None:
    """The survey a link points to, or None when the link was tampered with or is unknown."""
    try:
        token = signing.Signer(salt=SURVEY_SALT).unsign(signed)
    except signing.BadSignature:
        return None
    return Survey.objects.select_related("ticket", "ticket__client").filter(token=token).first()


@transaction.atomic
def survey_send(*, ticket: Ticket) -> Survey:
    """Create the ticket's survey (once) and email its link to the client when we have an
    address; the app reads the link from the API's status endpoint."""
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        ticket=ticket,
        defaults={
            "token": secrets.token_urlsafe(32),
            "sent_at": now,
            "expires_at": now + timedelta(days=Survey.VALID_DAYS),
        },
    )
    address = client_address(ticket)
    if created and address:
        client = ticket.client if ticket.client_id else None
        language = client.preferred_language if client is not None else settings.LANGUAGE_CODE
        with translation.override(language):
            mail = _survey_mail(ticket, survey, address)
        send_after_commit(mail)
    return survey


def _survey_mail(ticket: Ticket, survey: Survey, address: str) -> DjangoEmail:
    body = _(
        "Dear client,\n\nyour feedback %(reference)s has been resolved. Please tell us how "
        "satisfied you are (one click, valid for %(days)s days):\n\n%(link)s\n\nVIP Service"
    ) % {"reference": ticket.reference, "days": Survey.VALID_DAYS, "link": survey_link(survey)}
    return DjangoEmail(
        subject=_("[%(reference)s] How did we do?") % {"reference": ticket.reference},
        body=body,
        to=[address],
    )


class SurveyClosed(Exception):
    """The survey was answered already or has expired."""


@transaction.atomic
def survey_submit(*, survey: Survey, score: int, comment: str = "") -> Survey:
    """Record the client's answer. Usable once: a conditional UPDATE, so two tabs submitting at
    the same moment cannot both count. A score outside 1-5 or a comment longer than
    ``SURVEY_COMMENT_MAX_LENGTH`` is a ``ValidationError`` on its own field; nothing is written."""
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")})
    comment = comment.strip()
    if len(comment) > SURVEY_COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Your comment is too long (at most %(limit)s characters).")
                % {"limit": SURVEY_COMMENT_MAX_LENGTH}
            }
        )
    now = timezone.now()
    updated = Survey.objects.filter(
        pk=survey.pk, responded_at__isnull=True, expires_at__gt=now
    ).update(score=int(score), comment=comment, responded_at=now)
    if updated != 1:
        raise SurveyClosed
    survey.refresh_from_db()
    ticket = survey.ticket
    unhappy_client_follow_up(
        client=ticket.client,
        score=survey.score,
        source="survey",
        reference=ticket.reference,
        url=ticket_url(ticket),
    )
    return survey
