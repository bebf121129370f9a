"""The VIP rule for one client in Python: where a client goes on D (override first, then the
rule with its grace period, SPEC section 3). ``sql.changes_stage`` is the same rule for every
client at once."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clients.models import VipStatus
from clients.qualification.window import Window


@dataclass(frozen=True)
class Candidate:
    """A client whose status the rule (or an override) changes on D."""

    client_id: int
    kind: str
    status: str
    vip_since: date | None
    at_risk_since: date | None
    total_assets: Decimal
    relationship_since: date
    good_standing: bool
    qualifies: bool
    override_id: int | None
    override_status: str | None


@dataclass(frozen=True)
class Transition:
    status: str
    vip_since: date | None
    at_risk_since: date | None


def next_status(candidate: Candidate, window: Window) -> Transition:
    """Where a candidate goes on D: override first, then the rule with its grace period."""
    day = window.as_of
    target = candidate.override_status
    if target is None:
        if candidate.qualifies:
            target = VipStatus.VIP
        elif candidate.status == VipStatus.VIP:
            target = VipStatus.VIP_AT_RISK
        elif candidate.status == VipStatus.VIP_AT_RISK:
            since = candidate.at_risk_since or day
            expired = since <= window.grace_cutoff
            target = VipStatus.STANDARD if expired else VipStatus.VIP_AT_RISK
        else:
            target = VipStatus.STANDARD
    if target == VipStatus.VIP:
        was_vip = candidate.status in (VipStatus.VIP, VipStatus.VIP_AT_RISK)
        return Transition(target, candidate.vip_since if was_vip else day, None)
    if target == VipStatus.VIP_AT_RISK:
        return Transition(target, candidate.vip_since or day, candidate.at_risk_since or day)
    return Transition(VipStatus.STANDARD, None, None)
