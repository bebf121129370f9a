"""SPEC section 7's figures as pure functions over the DataFrames of analytics.facts.

Counts come out of pandas as ints; rates and money are computed in Decimal from those counts
(never a float on the way). A rate with nothing to count is ``None`` (shown "—").

Decisions where the spec is silent:
- A client's status on 1 January is the ``to_status`` of its last change effective on or before
  1 January (no change: ``standard``). "During Y" is after 1 January up to 31 December.
- Churn: a client VIP on 1 January that is downgraded to ``standard`` during Y counts once, even
  if it is upgraded again later in Y (the loss happened; the return is a new relationship only
  in the following year, since it was VIP on 1 January and is not a "new VIP").
- New VIPs: a client not VIP on 1 January whose status goes from ``standard`` to ``vip`` or
  ``vip_at_risk`` during Y, counted once in the month of its first upgrade.
- SLA met rate: tickets whose first response was on time / tickets already decided (responded,
  or still waiting past their due time; the rule is ``feedback.sla``'s). Call-back completion: completed / call-backs already decided
  (completed, or past their due date), by the month they are due.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from analytics.results import RATE_PLACES, MonthFigures, rate
from feedback import sla

VIP = frozenset({"vip", "vip_at_risk"})
CENT = Decimal("0.01")
MET, AT_RISK, MISSED, NO_DATA = "met", "at_risk", "missed", "no_data"
# A rate within this many points below its target is at risk, further below missed.
AT_RISK_MARGIN = Decimal("0.05")


def kpi_status(
    key: str, value: Decimal | int | None, target: Decimal | int, *, year_over: bool
) -> str:
    """The one KPI rule: is a year-to-date figure met, at risk or missed against its target?

    - rates (satisfaction, SLA met, call-back completion): met at or above target, at risk within
      5 points below it, missed further below;
    - churn reduction: met at or above target, at risk while churn is no worse than the comparison
      year (reduction >= 0), missed when churn grew;
    - new VIPs (a count that grows through the year): met at the target, at risk below it while
      the year runs, missed below it once the year is over (``year_over``).
    No value yet (nothing to measure): ``no_data``."""
    if value is None:
        return NO_DATA
    if value >= target:
        return MET
    if key == "churn_reduction":
        return AT_RISK if value >= 0 else MISSED
    if key == "new_vips":
        return MISSED if year_over else AT_RISK
    return AT_RISK if value >= target - AT_RISK_MARGIN else MISSED


def month_end(year: int, month: int) -> date:
    return (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()


def status_on(changes: pd.DataFrame, day: date) -> pd.Series:
    """client_id → status on ``day`` for every client with a change on or before it."""
    upto = changes[changes["effective_on"] <= day]
    if upto.empty:
        return pd.Series(dtype=object)
    last = upto.sort_values(["effective_on", "seq"]).groupby("client_id").tail(1)
    return last.set_index("client_id")["to_status"]


def vips_on(changes: pd.DataFrame, day: date) -> set:
    statuses = status_on(changes, day)
    return set(statuses[statuses.isin(VIP)].index)


def _during(changes: pd.DataFrame, year: int) -> pd.DataFrame:
    return changes[
        (changes["effective_on"] > date(year, 1, 1))
        & (changes["effective_on"] <= date(year, 12, 31))
    ]


def churned(changes: pd.DataFrame, year: int) -> pd.Series:
    """client_id → date of the first downgrade to standard in ``year``, for VIPs on 1 January."""
    base = vips_on(changes, date(year, 1, 1))
    during = _during(changes, year)
    down = during[(during["to_status"] == "standard") & during["client_id"].isin(base)]
    return down.groupby("client_id")["effective_on"].min()


def new_vips(changes: pd.DataFrame, year: int) -> pd.Series:
    """client_id → date of the first upgrade in ``year``, for clients not VIP on 1 January."""
    base = vips_on(changes, date(year, 1, 1))
    during = _during(changes, year)
    up = during[
        during["to_status"].isin(VIP)
        & ~during["from_status"].isin(VIP)
        & ~during["client_id"].isin(base)
    ]
    return up.groupby("client_id")["effective_on"].min()


def churn_rate(changes: pd.DataFrame, year: int) -> Decimal | None:
    return rate(len(churned(changes, year)), len(vips_on(changes, date(year, 1, 1))))


def churn_reduction(
    churn: Decimal | None, previous_churn: Decimal | None, baseline: Decimal
) -> Decimal | None:
    """1 − churn(Y)/churn(Y−1); the baseline stands in when Y−1 had no VIPs. ``None`` when Y has
    no VIPs, or when the comparison churn is zero (no reduction from zero is measurable)."""
    if churn is None:
        return None
    reference = baseline if previous_churn is None else previous_churn
    if not reference:
        return None
    return (1 - churn / reference).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def churn_losses_avoided(
    *, vips_on_1_january: int, baseline: Decimal, churned: int, revenue: Decimal
) -> Decimal:
    """Yuan of revenue kept: the VIPs the baseline churn rate would have lost minus those lost,
    times the average annual revenue. From the counts, in Decimal, rounded once at the end: the
    rounded churn rate would be off (204 VIPs, 10 lost, baseline 20%, ¥30,000: ¥924,000, not
    ¥924,120; issue 14). No VIPs on 1 January: nothing avoided."""
    if not vips_on_1_january:
        return Decimal("0.00")
    expected_losses = vips_on_1_january * baseline
    return ((expected_losses - churned) * revenue).quantize(CENT, rounding=ROUND_HALF_UP)


def expected_return(*, new_vip_count: int, revenue: Decimal, losses_avoided: Decimal) -> Decimal:
    return (revenue * new_vip_count + losses_avoided).quantize(CENT, rounding=ROUND_HALF_UP)


def roi(total_return: Decimal, budget_total: Decimal) -> Decimal | None:
    if not budget_total:
        return None
    return (total_return / budget_total).quantize(CENT, rounding=ROUND_HALF_UP)


def satisfaction_counts(responses: pd.DataFrame) -> tuple[int, int]:
    scores = pd.to_numeric(responses["score"], errors="coerce").dropna()
    return int((scores >= 4).sum()), int(len(scores))


def sla_counts(tickets: pd.DataFrame, now: datetime) -> tuple[int, int]:
    """(met, decided) by ``feedback.sla``: a ticket counts once it was answered or is still
    waiting past its deadline."""
    if tickets.empty:
        return 0, 0
    return sla.met_and_decided(
        sla.state_from(
            first_response_at=None if pd.isna(responded) else responded,
            first_response_due_at=due,
            warn_due_at=None,
            status=status,
            now=now,
        )
        for responded, due, status in zip(
            tickets["first_response_at"],
            tickets["first_response_due_at"],
            tickets["status"],
            strict=True,
        )
    )


def callback_counts(callbacks: pd.DataFrame, today: date) -> tuple[int, int]:
    """(completed, decided): a call-back counts once it is completed or past its due date."""
    if callbacks.empty:
        return 0, 0
    completed = callbacks["completed_on"].notna()
    overdue = callbacks["due_on"].map(lambda d: d < today).astype(bool)
    return int(completed.sum()), int((completed | overdue).sum())


@dataclass(frozen=True)
class Facts:
    changes: pd.DataFrame
    responses: pd.DataFrame
    callbacks: pd.DataFrame
    tickets: pd.DataFrame


def months_of(year: int, today: date) -> list[int]:
    if year > today.year:
        return []
    return list(range(1, (12 if year < today.year else today.month) + 1))


def _in_month(series: pd.Series, year: int, month: int) -> pd.Series:
    matches = series.map(
        lambda d: d is not None and not pd.isna(d) and (d.year, d.month) == (year, month)
    )
    return matches.astype(bool)


def monthly(
    facts: Facts, year: int, months: list[int], *, today: date, now: datetime
) -> list[MonthFigures]:
    """One row of counts per month: what the trend charts and the month table show. The rates
    derive from the counts, so the year's figures are sums of months."""
    churn_by_client = churned(facts.changes, year)
    new_by_client = new_vips(facts.changes, year)
    rows = []
    for month in months:
        end = min(month_end(year, month), today)
        good, total = satisfaction_counts(
            facts.responses[_in_month(facts.responses["on"], year, month)]
        )
        month_tickets = facts.tickets[_in_month(facts.tickets["received_on"], year, month)]
        sla_met, sla_total = sla_counts(month_tickets, now)
        month_callbacks = facts.callbacks[_in_month(facts.callbacks["due_on"], year, month)]
        cb_done, cb_total = callback_counts(month_callbacks, today)
        rows.append(
            MonthFigures(
                month=month,
                satisfaction_good=good,
                satisfaction_total=total,
                vip_count=len(vips_on(facts.changes, end)),
                new_vips=int(_in_month(new_by_client, year, month).sum()),
                churned=int(_in_month(churn_by_client, year, month).sum()),
                sla_met=sla_met,
                sla_total=sla_total,
                callbacks_completed=cb_done,
                callbacks_total=cb_total,
                callback_needs=int((month_callbacks["needs"].astype(str).str.strip() != "").sum()),
                by_category=needs_by(month_tickets, "category"),
                by_channel=needs_by(month_tickets, "channel"),
            )
        )
    return rows


def needs_by(tickets: pd.DataFrame, column: str) -> dict[str, int]:
    if tickets.empty:
        return {}
    return {str(k): int(v) for k, v in tickets[column].value_counts().sort_index().items()}


def needs_by_month(tickets: pd.DataFrame, column: str, year: int, months: list[int]) -> dict:
    """{value: [count per month]} for the needs trend."""
    if tickets.empty:
        return {}
    result: dict[str, list[int]] = {}
    for value in sorted(tickets[column].dropna().unique(), key=str):
        subset = tickets[tickets[column] == value]
        result[str(value)] = [int(_in_month(subset["received_on"], year, m).sum()) for m in months]
    return result
