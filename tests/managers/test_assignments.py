import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from clients.models import VipStatus
from core.models import Notification
from managers import selectors
from managers.models import Assignment, RmStatus
from managers.services import assignments
from tests.factories.clients import ClientFactory, VipClientFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory

TODAY = datetime.date(2026, 11, 28)


def _load(rm) -> int:
    return Assignment.objects.filter(rm=rm, ended_at__isnull=True).count()


@pytest.mark.django_db
class TestAssignmentsSync:
    def test_a_new_vip_goes_to_the_least_loaded_rm_of_its_branch(self, branch, rm, colleague_rm):
        AssignmentFactory.create_batch(2, rm=rm, client__branch=branch)
        client = VipClientFactory(branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=client) == colleague_rm

    def test_free_capacity_decides_not_the_raw_load(self, branch, rm, colleague_rm):
        rm.capacity, colleague_rm.capacity = 10, 3
        rm.save(), colleague_rm.save()
        AssignmentFactory.create_batch(5, rm=rm, client__branch=branch)  # 5 free
        AssignmentFactory.create_batch(1, rm=colleague_rm, client__branch=branch)  # 2 free
        client = VipClientFactory(branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=client) == rm

    def test_ties_go_to_the_lower_employee_number(self, branch):
        later = RelationshipManagerFactory(branch=branch, employee_no="E00009")
        first = RelationshipManagerFactory(branch=branch, employee_no="E00002")
        client = VipClientFactory(branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=client) == first
        assert later  # the other RM of the branch exists but loses the tie

    def test_clients_spread_over_rms_and_at_risk_vips_count(self, branch, rm, colleague_rm):
        clients = VipClientFactory.create_batch(3, branch=branch)
        clients.append(VipClientFactory(branch=branch, status=VipStatus.VIP_AT_RISK))
        result = assignments.assignments_sync(as_of=TODAY)
        assert result["assigned"] == 4
        assert _load(rm) == 2 and _load(colleague_rm) == 2

    def test_only_rms_of_the_clients_branch_and_only_active_ones(self, branch, other_branch, rm):
        rm.status = RmStatus.INACTIVE
        rm.save()
        RelationshipManagerFactory(branch=branch, status=RmStatus.CANDIDATE, user=None)
        elsewhere = RelationshipManagerFactory(branch=other_branch)
        client = VipClientFactory(branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=client) is None
        assert _load(elsewhere) == 0

    def test_capacity_is_never_exceeded_and_the_rest_wait_in_the_queue(
        self, branch, rm, supervisor, second_supervisor
    ):
        rm.capacity = 2
        rm.save()
        VipClientFactory.create_batch(3, branch=branch)
        result = assignments.assignments_sync(as_of=TODAY)
        assert _load(rm) == 2
        assert result["unassigned"] == 1
        queue = list(selectors.unassigned_vips())
        assert len(queue) == 1
        for boss in (supervisor, second_supervisor):
            notes = Notification.objects.filter(recipient=boss)
            assert notes.count() == 1
            assert queue[0].client_no in notes.get().title

    def test_a_second_run_changes_nothing_and_alerts_no_one_again(self, branch, rm, supervisor):
        rm.capacity = 1
        rm.save()
        VipClientFactory.create_batch(2, branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        before = set(Assignment.objects.values_list("pk", "rm_id", "client_id", "ended_at"))
        result = assignments.assignments_sync(as_of=TODAY)
        assert result["assigned"] == 0 and result["ended"] == 0
        assert set(Assignment.objects.values_list("pk", "rm_id", "client_id", "ended_at")) == before
        assert Notification.objects.filter(recipient=supervisor).count() == 1

    def test_a_standard_client_gets_no_rm(self, branch, rm):
        client = ClientFactory(branch=branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=client) is None

    def test_downgrade_to_standard_releases_the_assignment(self, client_of_rm, rm):
        client_of_rm.status = VipStatus.STANDARD
        client_of_rm.save()
        result = assignments.assignments_sync(as_of=TODAY)
        assignment = Assignment.objects.get(client=client_of_rm)
        assert result["ended"] == 1
        assert assignment.ended_at is not None
        assert assignment.end_reason == "downgraded"
        assert _load(rm) == 0

    def test_a_downgrade_frees_capacity_for_a_new_vip_in_the_same_run(self, client_of_rm, rm):
        rm.capacity = 1
        rm.save()
        client_of_rm.status = VipStatus.STANDARD
        client_of_rm.save()
        newcomer = VipClientFactory(branch=rm.branch)
        assignments.assignments_sync(as_of=TODAY)
        assert selectors.rm_of_client(client=newcomer) == rm

    def test_sync_runs_a_bounded_number_of_queries(
        self, branch, rm, colleague_rm, django_assert_max_num_queries
    ):
        VipClientFactory.create_batch(30, branch=branch)
        with django_assert_max_num_queries(10):
            result = assignments.assignments_sync(as_of=TODAY)
        assert result["assigned"] == 30

    def test_a_collision_with_a_concurrent_run_is_skipped(self, branch, rm, monkeypatch):
        """Another run assigns a client between our read and our insert: the constraint refuses
        our row, we skip it and keep the others."""
        clients = VipClientFactory.create_batch(3, branch=branch)
        colleague = RelationshipManagerFactory(branch=branch)
        real = assignments._create_assignments

        def racing(rows):
            Assignment.objects.create(client=clients[1], rm=colleague)
            return real(rows)

        monkeypatch.setattr(assignments, "_create_assignments", racing)
        result = assignments.assignments_sync(as_of=TODAY)
        assert result["assigned"] == 2 and result["skipped"] == 1
        assert selectors.rm_of_client(client=clients[1]) == colleague
        assert Assignment.objects.filter(ended_at__isnull=True).count() == 3


@pytest.mark.django_db
class TestReassignment:
    def test_reassignment_ends_the_old_and_starts_the_new_with_handover(
        self, client_of_rm, rm, colleague_rm, supervisor
    ):
        new = assignments.assignment_reassign(
            client=client_of_rm,
            to_rm=colleague_rm,
            reason="客户要求更换",
            handover_note="客户偏好上午联系",
            by=supervisor,
        )
        history = list(selectors.assignment_history(client=client_of_rm))
        assert [a.rm for a in history] == [colleague_rm, rm]
        old = history[1]
        assert old.ended_at == new.started_at and old.end_reason == "reassigned"
        assert new.reason == "客户要求更换" and new.handover_note == "客户偏好上午联系"
        assert new.assigned_by == supervisor
        note = Notification.objects.get(recipient=colleague_rm.user)
        assert client_of_rm.client_no in note.title
        assert note.body == "客户偏好上午联系"

    @pytest.mark.parametrize(
        ("reason", "note", "field"), [("", "note", "reason"), ("why", " ", "handover_note")]
    )
    def test_reason_and_handover_note_are_required(
        self, client_of_rm, rm, colleague_rm, supervisor, reason, note, field
    ):
        with pytest.raises(ValidationError) as info:
            assignments.assignment_reassign(
                client=client_of_rm,
                to_rm=colleague_rm,
                reason=reason,
                handover_note=note,
                by=supervisor,
            )
        assert field in info.value.error_dict
        assert selectors.rm_of_client(client=client_of_rm) == rm
        assert Assignment.objects.filter(client=client_of_rm).count() == 1

    def test_cannot_reassign_to_an_inactive_rm_or_the_same_rm(
        self, client_of_rm, rm, colleague_rm, supervisor
    ):
        colleague_rm.status = RmStatus.INACTIVE
        colleague_rm.save()
        for target in (colleague_rm, rm):
            with pytest.raises(ValidationError):
                assignments.assignment_reassign(
                    client=client_of_rm,
                    to_rm=target,
                    reason="r",
                    handover_note="n",
                    by=supervisor,
                )
        assert selectors.rm_of_client(client=client_of_rm) == rm

    def test_assigning_from_the_queue_and_refusing_a_second_open_assignment(
        self, branch, rm, colleague_rm, supervisor
    ):
        client = VipClientFactory(branch=branch)
        assignments.assignment_start(client=client, rm=rm, by=supervisor)
        with pytest.raises(ValidationError):
            assignments.assignment_start(client=client, rm=colleague_rm, by=supervisor)
        assert selectors.rm_of_client(client=client) == rm

    def test_a_standard_client_cannot_be_given_an_rm(self, branch, rm, supervisor):
        with pytest.raises(ValidationError):
            assignments.assignment_start(client=ClientFactory(branch=branch), rm=rm, by=supervisor)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_concurrent_assignments_of_one_client_exactly_one_succeeds(
    transactional_db, branch, rm, colleague_rm, supervisor
):
    client = VipClientFactory(branch=branch)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(target):
        try:
            barrier.wait(timeout=10)
            assignments.assignment_start(client=client, rm=target, by=supervisor)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in (rm, colleague_rm)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Assignment.objects.filter(client=client, ended_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_nightly_reruns_with_a_long_queue_do_not_retry_old_alerts(
    branch, rm, supervisor, django_assert_max_num_queries
):
    rm.capacity = 0
    rm.save()
    VipClientFactory.create_batch(20, branch=branch)
    assignments.assignments_sync(as_of=TODAY)
    assert Notification.objects.filter(recipient=supervisor).count() == 20
    with django_assert_max_num_queries(10):
        result = assignments.assignments_sync(as_of=TODAY)
    assert result["unassigned"] == 20 and result["notified"] == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_long_new_queue_gets_one_summary_alert_a_night_not_one_per_client(
    branch, rm, supervisor, django_assert_max_num_queries
):
    rm.capacity = 0
    rm.save()
    supervisor.language = "en"  # told in their own language
    supervisor.save(update_fields=["language"])
    VipClientFactory.create_batch(assignments.UNASSIGNED_ALERTS_EACH_UP_TO + 1, branch=branch)
    with django_assert_max_num_queries(15):
        result = assignments.assignments_sync(as_of=TODAY)
    notes = Notification.objects.filter(recipient=supervisor)
    assert result["notified"] == 1
    assert [n.title for n in notes] == ["21 VIP clients have no relationship manager"]
    again = assignments.assignments_sync(as_of=TODAY)
    assert again["notified"] == 0 and notes.count() == 1
