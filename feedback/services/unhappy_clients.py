"""An unhappy client (a survey or call-back score of 1 or 2) is followed up (issue 14)."""

from django.utils.translation import gettext as _

from clients.models import Client
from core.models import Notification
from core.services import notification_create
from feedback.selectors import team_leads
from feedback.services.notices import rm_user_of
from retention.services import follow_up_open

# A satisfaction score at or below this (of 1–5) is an unhappy client (issue 14).
UNHAPPY_SCORE_MAX = 2


def unhappy_client_follow_up(
    *, client: Client | None, score: int | None, source: str, reference: str, url: str
) -> None:
    """A survey or call-back ``score`` of 1 or 2 opens a follow-up on the client for their RM
    (``retention.services.follow_up_open``, on the RM's home until done) and tells the RM and the
    feedback team leads at once. ``source`` is "survey" or "callback"; ``reference`` the ticket
    reference or the call-back's month. Nothing happens for a better score or no client."""
    if client is None or score is None or score > UNHAPPY_SCORE_MAX:
        return
    follow_up_open(
        client=client, figures={"score": score, "source": source, "reference": reference}
    )
    rm_user = rm_user_of(client)
    notification_create(
        recipients=[*([rm_user] if rm_user else []), *team_leads()],
        title=lambda: (
            _("Unhappy client %(client)s: satisfaction %(score)s of 5")
            % {"client": client.name, "score": score}
        ),
        body=lambda: (
            _("From %(reference)s. A follow-up is on the RM's home until it is closed.")
            % {"reference": reference}
        ),
        url=url,
        level=Notification.Level.DANGER,
        dedupe_key=f"unhappy:{source}:{reference}",
    )
