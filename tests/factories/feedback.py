import datetime

import factory
from django.utils import timezone

from feedback.models import Category, Channel, Ticket, TicketStatus


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket whose deadlines follow the default policy (warn at 36 h, due at 48 h)."""

    class Meta:
        model = Ticket

    reference = factory.Sequence(lambda n: f"FB-2026-{n + 900000:06d}")
    client = factory.SubFactory("tests.factories.clients.VipClientFactory")
    channel = Channel.PHONE
    category = Category.COMPLAINT
    subject = factory.Sequence(lambda n: f"Feedback {n}")
    description = "The client was kept waiting at the counter."
    status = TicketStatus.NEW
    received_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(
        lambda t: t.received_at + datetime.timedelta(hours=48)
    )
    warn_due_at = factory.LazyAttribute(lambda t: t.received_at + datetime.timedelta(hours=36))
