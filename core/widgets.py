from django.utils.translation import gettext_lazy as _

from core.registry import register_home_widget
from core.roles import Role


def _unread(request):
    notes = list(request.user.notifications.filter(read_at__isnull=True)[:5])
    return {"title": _("Unread notifications"), "notifications": notes}


def register() -> None:
    register_home_widget(
        key="core.notifications",
        order=900,
        roles=set(Role),
        template="core/widgets/notifications.html",
        context=_unread,
    )
