"""The calendar of the VIP rule (SPEC section 3): the dates and instants the rule uses for a day
D under a policy, worked out once for the Python and the SQL side."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clients.models import VipPolicy
from core.dates import months_before, years_before


def downgrade_cutoff(as_of: date, policy: VipPolicy) -> date:
    """At risk since this day or earlier: downgraded on D (SPEC section 3). Without review dates,
    D − grace days. With review dates (e.g. 30 June, 31 December) downgrades take effect on one:
    the grace must have run out by the latest review date on or before D, so a run that misses
    the review date itself (late data) still downgrades at its next run, never earlier."""
    grace = timedelta(days=policy.grace_days)
    reviews = policy.review_days()
    if not reviews:
        return as_of - grace
    last_review = max(
        date(year, month, day)
        for year in (as_of.year, as_of.year - 1)
        for month, day in reviews
        if date(year, month, day) <= as_of
    )
    return last_review - grace


@dataclass(frozen=True)
class Window:
    """The dates and instants the rule uses for a day D under a policy."""

    as_of: date
    policy: VipPolicy
    trades_from: date  # first local day of the activity window (inclusive)
    relationship_cutoff: date  # relationship_since must be on or before this day
    grace_cutoff: date  # at risk since this day or earlier: downgraded

    @classmethod
    def for_day(cls, as_of: date, policy: VipPolicy) -> "Window":
        return cls(
            as_of=as_of,
            policy=policy,
            trades_from=months_before(as_of, policy.activity_months),
            relationship_cutoff=years_before(as_of, policy.min_relationship_years),
            grace_cutoff=downgrade_cutoff(as_of, policy),
        )

    @property
    def starts_at(self) -> datetime:
        """Local midnight (Asia/Shanghai) of the window's first day, as an aware instant."""
        return timezone.make_aware(datetime.combine(self.trades_from, time.min))

    @property
    def ends_before(self) -> datetime:
        """Local midnight after D: trades strictly before it count."""
        return timezone.make_aware(datetime.combine(self.as_of + timedelta(days=1), time.min))
