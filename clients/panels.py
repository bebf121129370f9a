"""The dossier's own sections below its first screen, registered as panels like every other
app's: each is fetched on its own when it scrolls into view, from one query (SPEC section 11)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import selectors
from clients.forms import OverrideForm, PreferencesForm
from core.paging import CountFreePage
from core.registry import register_dossier_panel
from core.roles import Role

TRADES_PAGE_SIZE = 20
HISTORY_ROWS = 50


def _trades(request, client) -> dict:
    # A client can hold thousands of the 30M trades: pages without a COUNT(*).
    page = CountFreePage(
        selectors.client_trades(client=client), request.GET.get("tpage"), TRADES_PAGE_SIZE
    )
    return {"trades": page}


def _preferences(request, client) -> dict:
    can_edit = selectors.user_sees_pii(user=request.user, client=client)
    return {
        "can_edit_preferences": can_edit,
        "preferences_form": PreferencesForm(instance=client) if can_edit else None,
    }


def _history(request, client) -> dict:
    return {"history": list(selectors.status_history(client=client)[:HISTORY_ROWS])}


def _changes(request, client) -> dict:
    return {"changes": list(selectors.client_changes(client=client)[:HISTORY_ROWS])}


def _overrides(request, client) -> dict:
    today = timezone.localdate()
    return {
        "active_overrides": list(
            client.overrides.filter(revoked_at__isnull=True, ends_on__gte=today)
        ),
        "override_form": OverrideForm(),
    }


def register() -> None:
    register_dossier_panel(
        key="clients.trades",
        order=10,
        title=_("Transactions"),
        template="clients/panels/trades.html",
        context=_trades,
        anchor="transactions",
    )
    register_dossier_panel(
        key="clients.preferences",
        order=20,
        title=_("Preferences"),
        template="clients/panels/preferences.html",
        context=_preferences,
        anchor="preferences",
    )
    register_dossier_panel(
        key="clients.status",
        order=30,
        title=_("Status history"),
        template="clients/panels/status_history.html",
        context=_history,
        anchor="status",
    )
    register_dossier_panel(
        key="clients.changes",
        order=32,
        title=_("Data changes"),
        template="clients/panels/changes.html",
        context=_changes,
        anchor="changes",
    )
    register_dossier_panel(
        key="clients.overrides",
        order=35,
        title=_("Status overrides"),
        template="clients/panels/overrides.html",
        context=_overrides,
        roles={Role.SUPERVISOR, Role.ADMINISTRATOR},
        anchor="overrides",
    )
