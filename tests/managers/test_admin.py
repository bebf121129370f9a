import pytest
from django.urls import reverse

from managers.models import RmStatus
from tests.factories.managers import ShiftFactory
from tests.factories.training import TrainingRecordFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "relationshipmanager",
    "rmselectionpolicy",
    "trainingcourse",
    "trainingrecord",
    "assignment",
    "shift",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_managers_model_has_an_admin_list_and_form(admin_user, login, client_of_rm, model):
    TrainingRecordFactory(rm=client_of_rm.assignments.get().rm)
    ShiftFactory(rm=client_of_rm.assignments.get().rm)
    http = login(admin_user)
    assert http.get(reverse(f"admin:managers_{model}_changelist")).status_code == 200
    assert http.get(reverse(f"admin:managers_{model}_add")).status_code == 200


def test_admin_action_approves_only_candidates_meeting_the_policy(admin_user, login, candidate, rm):
    http = login(admin_user)
    response = http.post(
        reverse("admin:managers_relationshipmanager_changelist"),
        {"action": "approve_candidates", "_selected_action": [candidate.pk, rm.pk]},
        follow=True,
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert candidate.status == RmStatus.ACTIVE
