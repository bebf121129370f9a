"""Training courses and each RM's training records."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from managers.models import RelationshipManager, TrainingCourse, TrainingRecord, TrainingResult


@transaction.atomic
def training_course_create(
    *,
    title: str,
    held_on: date,
    hours: Decimal,
    cost_per_attendee: Decimal = Decimal("3000.00"),
) -> TrainingCourse:
    """A training course. ``hours`` and ``cost_per_attendee`` (yuan) are >= 0; raises
    ``ValidationError`` keyed by field otherwise (issue 14: the rule is the server's, not only the
    form's)."""
    course = TrainingCourse(
        title=title, held_on=held_on, hours=hours, cost_per_attendee=cost_per_attendee
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def training_record_set(
    *,
    course: TrainingCourse,
    rm: RelationshipManager,
    result: str,
    score: int | None = None,
) -> TrainingRecord:
    """Record (or correct) one RM's attendance and result for a course. Only "enrolled" may be
    recorded before the course is held: attendance is a fact about a day that has come.
    Raises ``ValidationError`` keyed by field."""
    if result not in TrainingResult.values:
        raise ValidationError({"result": _("Unknown result.")})
    if result != TrainingResult.ENROLLED and course.held_on > timezone.localdate():
        raise ValidationError(
            {"result": _("The course has not been held yet: record the RM as enrolled.")}
        )
    record, _created = TrainingRecord.objects.update_or_create(
        course=course, rm=rm, defaults={"result": result, "score": score}
    )
    return record
