"""Home widgets and the demo seeder registration of the clients app."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import selectors
from clients.models import VipStatus
from clients.qualification.explain import criteria_for
from clients.qualification.measures import clients_measure
from clients.qualification.window import Window
from core.registry import register_home_widget
from core.roles import Role


def at_risk_context(request):
    """My clients at risk of downgrade, with what each needs to requalify: four queries."""
    clients = list(selectors.at_risk_clients_of_rm(user=request.user))
    today = timezone.localdate()
    window = Window.for_day(today, selectors.policy_in_force(today))
    measures = clients_measure(client_ids=[c.pk for c in clients], window=window)
    rows = []
    for client in clients:
        criteria = criteria_for(
            kind=client.kind,
            relationship_since=client.relationship_since,
            good_standing=client.good_standing,
            measures=measures[client.pk],
            window=window,
        )
        rows.append({"client": client, "gaps": [c.gap for c in criteria if not c.passed]})
    return {"title": _("My clients at risk of downgrade"), "rows": rows}


def status_changes_context(request):
    day, rows = selectors.status_changes_last_run()
    labels = dict(VipStatus.choices)
    return {
        "title": _("Status changes last night"),
        "day": day,
        "rows": [
            {
                "from_label": labels.get(r["from_status"], r["from_status"]),
                "to_label": labels.get(r["to_status"], r["to_status"]),
                "n": r["n"],
            }
            for r in rows
        ],
    }


def lookup_context(request):
    return {"title": _("Look a client up")}


def register() -> None:
    register_home_widget(
        key="clients.at_risk",
        order=20,
        roles={Role.RELATIONSHIP_MANAGER},
        template="clients/widgets/at_risk.html",
        context=at_risk_context,
    )
    register_home_widget(
        key="clients.status_changes",
        order=30,
        roles={Role.SUPERVISOR},
        template="clients/widgets/status_changes.html",
        context=status_changes_context,
    )
    register_home_widget(
        key="clients.lookup",
        order=5,
        roles={Role.BRANCH_STAFF},
        template="clients/widgets/lookup.html",
        context=lookup_context,
    )
