from django.utils.translation import gettext_lazy as _

from core.jobstatus import overdue_jobs, undelivered_mail
from core.registry import register_home_widget
from core.roles import Role


def _unread(request):
    notes = list(request.user.notifications.filter(read_at__isnull=True)[:5])
    return {"title": _("Unread notifications"), "notifications": notes}


def _overdue_jobs(request):
    return {"title": _("Jobs overdue"), "overdue": overdue_jobs(), "mail": undelivered_mail()}


def register() -> None:
    register_home_widget(
        key="core.jobs_overdue",
        order=1,
        roles={Role.SUPERVISOR, Role.ADMINISTRATOR},
        template="core/widgets/jobs_overdue.html",
        context=_overdue_jobs,
    )
    register_home_widget(
        key="core.notifications",
        order=900,
        roles=set(Role),
        template="core/widgets/notifications.html",
        context=_unread,
    )
