import datetime

import factory
from django.utils import timezone

from core.roles import Role
from managers.models import Assignment, RelationshipManager, RmStatus, Shift
from tests.factories.core import BranchFactory, UserFactory


class RelationshipManagerFactory(factory.django.DjangoModelFactory):
    """An active RM with a user in the RM role, in the given branch."""

    class Meta:
        model = RelationshipManager

    branch = factory.SubFactory(BranchFactory)
    user = factory.SubFactory(
        UserFactory, role=Role.RELATIONSHIP_MANAGER, branch=factory.SelfAttribute("..branch")
    )
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.LazyAttribute(lambda rm: str(rm.user) if rm.user else "候选人")
    years_experience = 5
    certifications = "AFP"
    communication_score = 4
    status = RmStatus.ACTIVE
    capacity = 50


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    client = factory.SubFactory("tests.factories.clients.VipClientFactory")
    rm = factory.SubFactory(RelationshipManagerFactory)
    started_at = factory.LazyFunction(timezone.now)
    reason = "initial"


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    rm = factory.SubFactory(RelationshipManagerFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=8))
