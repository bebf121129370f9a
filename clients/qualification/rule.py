"""Where a client's status goes on D (SPEC section 3), defined once as two small tables, read by
Python for one client (``next_status``) and rendered as SQL for every client
(``sql.changes_stage``): an active override first, then the rule with its grace period.

The grace arithmetic is ``Window.grace_cutoff``: at risk since that day or earlier, the grace
period is over.
"""

from dataclasses import dataclass
from datetime import date

from clients.models import VIP_STATUSES, VipStatus
from clients.qualification.window import Window

# The status a client moves to, the first matching row winning. Columns: qualifies on D, the
# status on the eve of D, whether the grace period is over; None matches anything.
STATUS_RULES: tuple[tuple[bool | None, str | None, bool | None, str], ...] = (
    (True, None, None, VipStatus.VIP),
    (None, VipStatus.VIP, None, VipStatus.VIP_AT_RISK),
    (None, VipStatus.VIP_AT_RISK, False, VipStatus.VIP_AT_RISK),
    (None, None, None, VipStatus.STANDARD),
)

# What ``vip_since`` and ``at_risk_since`` become with each new status.
KEEP_IF_VIP = "the old date if the client was a VIP (or at risk), else D"
KEEP_OR_DAY = "the old date, or D if there is none"
CLEAR = "none"
SINCE_RULES: dict[str, tuple[str, str]] = {
    VipStatus.VIP: (KEEP_IF_VIP, CLEAR),
    VipStatus.VIP_AT_RISK: (KEEP_OR_DAY, KEEP_OR_DAY),
    VipStatus.STANDARD: (CLEAR, CLEAR),
}


@dataclass(frozen=True)
class State:
    """A client's status on the eve of D."""

    status: str
    vip_since: date | None
    at_risk_since: date | None


Transition = State  # the same three fields after D


# --- Python, one client --------------------------------------------------------------------------


def _grace_over(state: State, window: Window) -> bool:
    return (state.at_risk_since or window.as_of) <= window.grace_cutoff


def _since(rule: str, old: date | None, state: State, day: date) -> date | None:
    if rule == KEEP_IF_VIP:
        return old if state.status in VIP_STATUSES else day
    if rule == KEEP_OR_DAY:
        return old or day
    return None


def next_status(
    state: State, *, qualifies: bool, override_status: str | None, window: Window
) -> Transition:
    """Where a client goes on D: ``override_status`` (an active override) first, then
    ``STATUS_RULES``; the dates by ``SINCE_RULES``."""
    target = override_status
    if target is None:
        grace_over = _grace_over(state, window)
        target = next(
            to
            for q, status, grace, to in STATUS_RULES
            if q in (None, qualifies)
            and status in (None, state.status)
            and grace in (None, grace_over)
        )
    vip_rule, risk_rule = SINCE_RULES[target]
    day = window.as_of
    return Transition(
        target,
        _since(vip_rule, state.vip_since, state, day),
        _since(risk_rule, state.at_risk_since, state, day),
    )


# --- SQL, every client ---------------------------------------------------------------------------


def status_sql(row: str, *, qualifies: str, override_status: str) -> str:
    """``next_status``'s target over ``row`` (columns status, at_risk_since), ``qualifies`` a 1/0
    expression, ``override_status`` the active override's status or NULL."""
    grace_over = f"COALESCE({row}.at_risk_since, %(as_of)s) <= %(grace_cutoff)s"
    branches = [f"WHEN {override_status} IS NOT NULL THEN {override_status}"]
    for q, status, grace, to in STATUS_RULES:
        tests = []
        if q is not None:
            tests.append(f"{qualifies} = {int(q)}")
        if status is not None:
            tests.append(f"{row}.status = '{status}'")
        if grace is not None:
            tests.append(grace_over if grace else f"NOT ({grace_over})")
        branches.append(f"WHEN {' AND '.join(tests)} THEN '{to}'" if tests else f"ELSE '{to}'")
    return f"CASE {' '.join(branches)} END"


def since_sql(row: str, *, target: str, column: str) -> str:
    """The new ``column`` (vip_since or at_risk_since) for ``target`` by ``SINCE_RULES``."""
    index = 0 if column == "vip_since" else 1
    statuses = ", ".join(f"'{s}'" for s in VIP_STATUSES)
    rendered = {
        KEEP_IF_VIP: f"CASE WHEN {row}.status IN ({statuses}) THEN {row}.{column} "
        "ELSE %(as_of)s END",
        KEEP_OR_DAY: f"COALESCE({row}.{column}, %(as_of)s)",
        CLEAR: "NULL",
    }
    branches = " ".join(
        f"WHEN {target} = '{status}' THEN {rendered[rules[index]]}"
        for status, rules in SINCE_RULES.items()
    )
    return f"CASE {branches} END"
