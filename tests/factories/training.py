import datetime
from decimal import Decimal

import factory

from managers.models import TrainingCourse, TrainingRecord, TrainingResult
from tests.factories.managers import RelationshipManagerFactory


class TrainingCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCourse

    title = factory.Sequence(lambda n: f"培训课程{n}")
    held_on = datetime.date(2026, 6, 1)
    hours = Decimal("8.0")
    cost_per_attendee = Decimal("3000.00")


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    course = factory.SubFactory(TrainingCourseFactory)
    rm = factory.SubFactory(RelationshipManagerFactory)
    result = TrainingResult.PASSED
    score = 85
