"""The on-call rota's shifts."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from managers.models import RelationshipManager, RmStatus, Shift


@transaction.atomic
def shift_create(*, rm: RelationshipManager, starts_at: datetime, ends_at: datetime) -> Shift:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    if rm.status != RmStatus.ACTIVE:
        raise ValidationError({"rm": _("Choose an active relationship manager.")})
    return Shift.objects.create(rm=rm, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def shift_delete(*, shift: Shift) -> None:
    shift.delete()
