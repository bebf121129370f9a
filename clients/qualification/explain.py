"""The VIP rule explained for one client: each criterion's value, threshold, pass and gap (the
dossier, the home widgets), and the reasons a history row records."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, VipPolicy
from clients.qualification.measures import Measures, clients_measure
from clients.qualification.rule import Candidate
from clients.qualification.window import Window
from core.templatetags.vip import money


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    value: Any
    threshold: Any
    passed: bool
    gap: str


def _assets_label(measures: Measures) -> str:
    """ "Total assets", or the average daily assets with its period and the days counted."""
    average = measures.average
    if average is None:
        return _("Total assets")
    return _(
        "Average daily assets %(first)s – %(last)s (%(days)d days; a balance known on "
        "%(known)d of them, the others count as zero)"
    ) % {
        "first": average.first.isoformat(),
        "last": average.last.isoformat(),
        "days": average.days,
        "known": average.days_with_balance,
    }


def criteria_for(
    *,
    kind: str,
    relationship_since: date,
    good_standing: bool,
    measures: Measures,
    window: Window,
) -> list[Criterion]:
    policy = window.policy
    threshold = policy.asset_threshold_for(kind)
    assets_ok = measures.assets >= threshold
    trades_ok = measures.trades >= policy.min_trades
    rel_ok = relationship_since <= window.relationship_cutoff
    return [
        Criterion(
            "assets",
            _assets_label(measures),
            measures.assets,
            threshold,
            assets_ok,
            ""
            if assets_ok
            else _("needs %(amount)s more") % {"amount": money(threshold - measures.assets)},
        ),
        Criterion(
            "trades",
            _("Trades in the last %(n)d months") % {"n": policy.activity_months},
            measures.trades,
            policy.min_trades,
            trades_ok,
            ""
            if trades_ok
            else _("needs %(n)d more trades") % {"n": policy.min_trades - measures.trades},
        ),
        Criterion(
            "relationship",
            _("Relationship since"),
            relationship_since,
            window.relationship_cutoff,
            rel_ok,
            ""
            if rel_ok
            else _("needs %(n)d more days")
            % {"n": (relationship_since - window.relationship_cutoff).days},
        ),
        Criterion(
            "good_standing",
            _("Good standing"),
            good_standing,
            True,
            good_standing,
            "" if good_standing else _("not in good standing with the core banking system"),
        ),
    ]


def qualification_explain(*, client: Client, as_of: date | None = None) -> list[Criterion]:
    """Each criterion of SPEC section 3 for one client on D: value, threshold, pass, gap."""
    day = as_of or timezone.localdate()
    window = Window.for_day(day, VipPolicy.in_force_on(day))
    measures = clients_measure(client_ids=[client.pk], window=window)[client.pk]
    return criteria_for(
        kind=client.kind,
        relationship_since=client.relationship_since,
        good_standing=client.good_standing,
        measures=measures,
        window=window,
    )


def history_reasons(
    candidate: Candidate, measures: Measures, window: Window, override: dict | None
) -> dict:
    """The history row's reasons: per criterion value, threshold and pass, plus the policy.
    Built without the dossier's translated gap texts: this runs for every changed client."""
    policy = window.policy
    threshold = policy.asset_threshold_for(candidate.kind)
    assets = candidate.total_assets
    return {
        "assets": {
            "value": f"{assets:.2f}",
            "threshold": f"{threshold:.2f}",
            "passed": assets >= threshold,
        },
        "trades": {
            "value": measures.trades,
            "threshold": policy.min_trades,
            "passed": measures.trades >= policy.min_trades,
            "window_from": window.trades_from.isoformat(),
        },
        "relationship": {
            "value": candidate.relationship_since.isoformat(),
            "threshold": window.relationship_cutoff.isoformat(),
            "passed": candidate.relationship_since <= window.relationship_cutoff,
        },
        "good_standing": {
            "value": candidate.good_standing,
            "threshold": True,
            "passed": candidate.good_standing,
        },
        "qualifies": candidate.qualifies,
        "policy": policy.version,
        "override": override,
    }
