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
            45,
            "managers:rota",
            _("On-call rota"),
            frozenset({RM, SUPERVISOR}),
            "calendar-week",
            primary_for=frozenset(),
        ),
        NavItem(
            48,
            "managers:training",
            _("Training"),
            frozenset({RM, SUPERVISOR}),
            "mortarboard",
            primary_for=frozenset(),
        ),
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
        from core.registry import RmDirectory, register_rm_directory
        from managers import demo, selectors, widgets
        from managers.models import (
            Assignment,
            RelationshipManager,
            RmSelectionPolicy,
            Shift,
            TrainingCourse,
            TrainingRecord,
        )
        from managers.services import reassignment

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
        register_rm_directory(
            RmDirectory(
                assigned_to=selectors.assigned_to,
                on_call_now=selectors.rm_on_call_now,
                rm_name=selectors.rm_name_subquery,
                rms=selectors.rms_with_user,
                client_ids_of=selectors.client_ids_of,
                active_assignment=lambda client: selectors.active_assignment_for(client=client),
            )
        )
        register_approval_handler(
            kind=ApprovalKind.RM_REASSIGNMENT,
            check=reassignment.reassignment_check,
            apply=reassignment.reassignment_apply,
            describe=reassignment.reassignment_describe,
        )
