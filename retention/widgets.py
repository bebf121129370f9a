"""The RM's home: open retention tasks with the reason and the figures, closed with an outcome."""

from django.utils.translation import gettext_lazy as _

from core.registry import register_home_widget
from core.roles import Role
from retention import selectors
from retention.forms import CloseForm


def tasks_context(request):
    return {
        "title": _("Keep these clients"),
        "tasks": selectors.open_tasks_for(user=request.user),
        "form": CloseForm(),
    }


def register() -> None:
    register_home_widget(
        key="retention.tasks",
        order=22,
        roles={Role.RELATIONSHIP_MANAGER},
        template="retention/widgets/tasks.html",
        context=tasks_context,
    )
