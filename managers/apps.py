from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem
from core.roles import Role

RM, BRANCH, FEEDBACK, SUPERVISOR = (
    Role.RELATIONSHIP_MANAGER,
    Role.BRANCH_STAFF,
    Role.FEEDBACK_TEAM,
    Role.SUPERVISOR,
)


class ManagersConfig(AppConfig):
    name = "managers"
    verbose_name = _("Relationship managers")
    navigation = [
        NavItem(
            40,
            "managers:board",
            _("Relationship managers"),
            frozenset({SUPERVISOR}),
            "person-badge",
        ),
        NavItem(
            45, "managers:rota", _("On-call rota"), frozenset({RM, SUPERVISOR}), "calendar-week"
        ),
        NavItem(48, "managers:training", _("Training"), frozenset({RM, SUPERVISOR}), "mortarboard"),
    ]
    role_permissions: dict = {
        SUPERVISOR: [
            "managers.view_relationshipmanager",
            "managers.view_assignment",
            "managers.view_trainingcourse",
            "managers.view_trainingrecord",
            "managers.view_shift",
            "managers.view_rmselectionpolicy",
        ],
        RM: ["managers.view_shift"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from approvals.models import ApprovalKind
        from approvals.registry import register_approval_handler
        from managers import demo, services, widgets
        from managers.models import (
            Assignment,
            RelationshipManager,
            RmSelectionPolicy,
            Shift,
            TrainingCourse,
            TrainingRecord,
        )

        for model in (
            RelationshipManager,
            RmSelectionPolicy,
            TrainingCourse,
            TrainingRecord,
            Assignment,
            Shift,
        ):
            auditlog.register(model)
        widgets.register()
        demo.register()
        register_approval_handler(
            kind=ApprovalKind.RM_REASSIGNMENT,
            check=services.reassignment_check,
            apply=services.reassignment_apply,
            describe=services.reassignment_describe,
        )
