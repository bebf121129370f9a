"""Who made a write that a record's own history keeps (issue 13: imports and jobs leave
per-record history with an actor). One spelling for every history table: a staff user's username,
or ``system:<job>`` for a job or command that writes with no user behind it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.models import User

SYSTEM_PREFIX = "system:"


@dataclass(frozen=True)
class Actor:
    """``label`` is what the history's ``actor`` column holds (kept when the user is deleted);
    ``user`` the staff user, None for a job."""

    label: str
    user: User | None = None

    @classmethod
    def of_user(cls, user: User) -> "Actor":
        return cls(label=user.get_username(), user=user)

    @classmethod
    def system(cls, job: str) -> "Actor":
        """A job or command, named as in the code (``reclassify_vips``, ``dataruns_intake``)."""
        return cls(label=f"{SYSTEM_PREFIX}{job}")

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


def actor_display(label: str, user: User | None = None) -> str:
    """How a history row names its actor: the user's name (the stored username once the user is
    gone), or "system job: <job>" in the user's language."""
    if label.startswith(SYSTEM_PREFIX):
        return _("system job: %(job)s") % {"job": label.removeprefix(SYSTEM_PREFIX)}
    if user is not None:
        return str(user)
    return label or "—"
