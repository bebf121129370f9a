import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalKind, ApprovalSetting
from managers.models import Assignment, RelationshipManager, RmStatus, Shift, TrainingRecord
from managers.services.assignments import assignment_reassign
from managers.widgets import rm_history_panel
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, RelationshipManagerFactory, ShiftFactory
from tests.factories.training import TrainingCourseFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db


def _populate(branch, n: int) -> None:
    """n RMs with a client, a training record and a shift this week; n unassigned VIPs."""
    course = TrainingCourseFactory()
    now = timezone.now()
    for i in range(n):
        rm = RelationshipManagerFactory(branch=branch)
        AssignmentFactory(rm=rm, client__branch=branch)
        TrainingRecordFactory(rm=rm, course=course)
        ShiftFactory(
            rm=rm,
            starts_at=now + datetime.timedelta(hours=i),
            ends_at=now + datetime.timedelta(hours=i + 8),
        )
        VipClientFactory(branch=branch)


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


class TestQueryCounts:
    @pytest.mark.parametrize(
        "url_name", ["managers:board", "managers:rota", "managers:training", "managers:candidates"]
    )
    def test_list_pages_run_the_same_queries_for_3_and_30_rows(
        self, branch, supervisor, login, url_name, django_assert_num_queries
    ):
        http = login(supervisor)
        _populate(branch, 3)
        RelationshipManagerFactory.create_batch(
            3, branch=branch, user=None, status=RmStatus.CANDIDATE
        )
        http.get(reverse(url_name))  # warm caches (session, content types)
        small = _queries(http, reverse(url_name))
        _populate(branch, 27)
        RelationshipManagerFactory.create_batch(
            27, branch=branch, user=None, status=RmStatus.CANDIDATE
        )
        with django_assert_num_queries(small):
            assert http.get(reverse(url_name)).status_code == 200

    def test_rm_training_page_is_constant_in_records(self, rm, login, django_assert_num_queries):
        http = login(rm.user)
        TrainingRecordFactory.create_batch(3, rm=rm)
        http.get(reverse("managers:training"))
        small = _queries(http, reverse("managers:training_rm", args=[rm.pk]))
        TrainingRecordFactory.create_batch(20, rm=rm)
        with django_assert_num_queries(small):
            http.get(reverse("managers:training_rm", args=[rm.pk]))

    def test_home_widgets_are_constant_in_data(
        self, branch, supervisor, login, django_assert_num_queries
    ):
        http = login(supervisor)
        _populate(branch, 3)
        http.get("/")
        small = _queries(http, "/")
        _populate(branch, 20)
        with django_assert_num_queries(small):
            http.get("/")


class TestScope:
    @pytest.mark.parametrize("persona", ["branch_staff", "feedback_user", "outsider", "rm_user"])
    @pytest.mark.parametrize(
        "url_name",
        [
            "managers:board",
            "managers:candidates",
            "managers:candidate_add",
            "managers:course_add",
            "managers:shift_add",
        ],
    )
    def test_supervisor_pages_are_404_for_other_roles(self, request, login, persona, url_name):
        http = login(request.getfixturevalue(persona))
        assert http.get(reverse(url_name)).status_code == 404

    @pytest.mark.parametrize("persona", ["branch_staff", "feedback_user", "outsider"])
    def test_rota_and_training_are_404_for_staff_without_an_rm_role(self, request, login, persona):
        http = login(request.getfixturevalue(persona))
        assert http.get(reverse("managers:rota")).status_code == 404
        assert http.get(reverse("managers:training")).status_code == 404

    @pytest.mark.parametrize("persona", ["branch_staff", "feedback_user", "outsider", "rm_user"])
    def test_rota_and_assignment_actions_are_refused_and_change_nothing(
        self, request, login, persona, client_of_rm, colleague_rm, rm
    ):
        shift = ShiftFactory(rm=rm)
        http = login(request.getfixturevalue(persona))
        assert http.post(reverse("managers:shift_delete", args=[shift.pk])).status_code == 404
        now = timezone.localtime()
        response = http.post(
            reverse("managers:shift_add"),
            {
                "rm": rm.pk,
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert response.status_code == 404
        response = http.post(
            reverse("managers:reassign", args=[client_of_rm.pk]),
            {"to_rm": colleague_rm.pk, "reason": "r", "handover_note": "n"},
        )
        assert response.status_code == 404
        assert Shift.objects.count() == 1
        assert Assignment.objects.get(client=client_of_rm).rm == rm

    def test_an_rm_sees_only_their_own_training(self, rm, colleague_rm, login):
        TrainingRecordFactory(rm=colleague_rm, course__title="别人的课程")
        TrainingRecordFactory(rm=rm, course__title="我的课程")
        http = login(rm.user)
        page = http.get(reverse("managers:training"))
        assert page.status_code == 200
        assert "我的课程" in page.text and "别人的课程" not in page.text
        assert http.get(reverse("managers:training_rm", args=[rm.pk])).status_code == 200
        assert http.get(reverse("managers:training_rm", args=[colleague_rm.pk])).status_code == 404

    def test_supervisors_see_every_rms_training(self, rm, colleague_rm, supervisor, login):
        http = login(supervisor)
        page = http.get(reverse("managers:training"))
        assert rm.name in page.text and colleague_rm.name in page.text
        for target in (rm, colleague_rm):
            assert http.get(reverse("managers:training_rm", args=[target.pk])).status_code == 200

    def test_an_rm_sees_the_rota_with_their_own_shifts_but_cannot_edit(
        self, rm, colleague_rm, login
    ):
        ShiftFactory(rm=rm)
        ShiftFactory(rm=colleague_rm)
        page = login(rm.user).get(reverse("managers:rota"))
        assert page.status_code == 200
        assert rm.name in page.text and colleague_rm.name in page.text
        assert "My next shifts" in page.text
        assert reverse("managers:shift_add") not in page.text

    def test_history_follows_client_scope(self, rm, client_of_rm, client_of_colleague, login):
        http = login(rm.user)
        assert http.get(reverse("managers:history", args=[client_of_rm.pk])).status_code == 200
        assert (
            http.get(reverse("managers:history", args=[client_of_colleague.pk])).status_code == 404
        )


class TestSupervisorActions:
    def test_board_shows_load_flags_and_the_unassigned_queue(self, branch, rm, supervisor, login):
        rm.capacity = 1
        rm.save()
        AssignmentFactory.create_batch(2, rm=rm, client__branch=branch)
        waiting = VipClientFactory(branch=branch, name="待分配客户")
        page = login(supervisor).get(reverse("managers:board"))
        assert "Over capacity" in page.text and "Training lapsed" in page.text
        assert "待分配客户" in page.text
        assert reverse("managers:assign", args=[waiting.pk]) in page.text

    def test_board_filters_over_capacity(self, branch, rm, colleague_rm, supervisor, login):
        rm.capacity = 0
        rm.save()
        AssignmentFactory(rm=rm, client__branch=branch)
        page = login(supervisor).get(reverse("managers:board"), {"flag": "over", "sort": "-load"})
        assert rm.name in page.text and colleague_rm.name not in page.text

    def test_assign_from_the_queue(self, branch, rm, supervisor, login):
        waiting = VipClientFactory(branch=branch)
        response = login(supervisor).post(
            reverse("managers:assign", args=[waiting.pk]), {"rm": rm.pk}
        )
        assert response.status_code == 302
        assert Assignment.objects.get(client=waiting, ended_at__isnull=True).rm == rm

    @pytest.mark.parametrize("value", ["999999", "abc", ""])
    def test_assign_with_an_unknown_rm_changes_nothing(self, branch, rm, supervisor, login, value):
        waiting = VipClientFactory(branch=branch)
        response = login(supervisor).post(
            reverse("managers:assign", args=[waiting.pk]), {"rm": value}, follow=True
        )
        assert response.status_code == 200
        assert "Choose an active relationship manager" in response.text
        assert not Assignment.objects.filter(client=waiting).exists()

    def test_reassign_page_requires_reason_and_handover(
        self, client_of_rm, rm, colleague_rm, supervisor, login
    ):
        # Four eyes switched off by the administrator: the handover is immediate (the approval
        # path is tested in tests/approvals).
        ApprovalSetting.objects.create(kind=ApprovalKind.RM_REASSIGNMENT, requires_approval=False)
        http = login(supervisor)
        url = reverse("managers:reassign", args=[client_of_rm.pk])
        response = http.post(url, {"to_rm": colleague_rm.pk, "reason": "", "handover_note": ""})
        assert response.status_code == 200
        assert "This field is required" in response.text
        assert Assignment.objects.get(client=client_of_rm).rm == rm
        response = http.post(url, {"to_rm": "424242", "reason": "r", "handover_note": "n"})
        assert response.status_code == 200 and Assignment.objects.count() == 1
        response = http.post(
            url, {"to_rm": colleague_rm.pk, "reason": "客户要求", "handover_note": "交接说明"}
        )
        assert response.status_code == 302
        history = http.get(reverse("managers:history", args=[client_of_rm.pk])).text
        assert "客户要求" in history and "交接说明" in history

    def test_reassign_to_the_same_rm_is_a_form_error(self, client_of_rm, rm, supervisor, login):
        response = login(supervisor).post(
            reverse("managers:reassign", args=[client_of_rm.pk]),
            {"to_rm": rm.pk, "reason": "r", "handover_note": "n"},
        )
        assert response.status_code == 200
        assert "already looks after" in response.text

    def test_approve_and_reject_candidates(self, candidate, branch, supervisor, login):
        other = RelationshipManagerFactory(
            branch=branch, user=None, status=RmStatus.CANDIDATE, years_experience=1
        )
        http = login(supervisor)
        page = http.get(reverse("managers:candidates"))
        assert 'data-criterion="years_experience" data-met="no"' in page.text
        assert 'data-criterion="years_experience" data-met="yes"' in page.text
        assert (
            http.post(reverse("managers:candidate_approve", args=[candidate.pk])).status_code == 302
        )
        candidate.refresh_from_db()
        assert candidate.status == RmStatus.ACTIVE
        response = http.post(reverse("managers:candidate_approve", args=[other.pk]), follow=True)
        assert "does not meet" in response.text
        response = http.post(
            reverse("managers:candidate_reject", args=[other.pk]), {"reason": "  "}
        )
        assert response.status_code == 200
        other.refresh_from_db()
        assert other.status == RmStatus.CANDIDATE
        http.post(reverse("managers:candidate_reject", args=[other.pk]), {"reason": "经验不足"})
        other.refresh_from_db()
        assert (other.status, other.decision_reason) == (RmStatus.REJECTED, "经验不足")
        assert http.post(reverse("managers:candidate_approve", args=[other.pk])).status_code == 404

    def test_add_candidate_with_bad_input_shows_errors(self, branch, supervisor, login):
        http = login(supervisor)
        data = {
            "employee_no": "E77777",
            "name": "新人",
            "branch": branch.pk,
            "years_experience": "-1",
            "communication_score": "9",
        }
        response = http.post(reverse("managers:candidate_add"), data)
        assert response.status_code == 200
        assert "Please correct the errors" in response.text
        assert not RelationshipManager.objects.filter(employee_no="E77777").exists()
        data.update(years_experience="4", communication_score="4")
        assert http.post(reverse("managers:candidate_add"), data).status_code == 302
        assert RelationshipManager.objects.get(employee_no="E77777").status == RmStatus.CANDIDATE

    def test_course_and_attendance(self, rm, supervisor, login):
        http = login(supervisor)
        response = http.post(
            reverse("managers:course_add"),
            {"title": "合规", "held_on": "2026-13-45", "hours": "8", "cost_per_attendee": "3000"},
        )
        assert response.status_code == 200 and "Please correct the errors" in response.text
        response = http.post(
            reverse("managers:course_add"),
            {"title": "合规", "held_on": "2026-11-01", "hours": "8", "cost_per_attendee": "3000"},
        )
        assert response.status_code == 302
        url = response.url
        assert http.post(url, {"rm": "999999", "result": "passed"}).status_code == 200
        assert http.post(url, {"rm": rm.pk, "result": "passed", "score": "90"}).status_code == 302
        assert TrainingRecord.objects.get(rm=rm).result == "passed"

    @pytest.mark.parametrize(
        "data",
        [
            {"starts_at": "2026-12-01T20:00", "ends_at": "2026-12-01T08:00"},
            {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T08:00"},
            {"starts_at": "not-a-date", "ends_at": "2026-12-01T08:00"},
            {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T20:00", "rm": "31337"},
        ],
    )
    def test_bad_shift_input_is_a_form_error(self, rm, supervisor, login, data):
        response = login(supervisor).post(reverse("managers:shift_add"), {"rm": rm.pk, **data})
        assert response.status_code == 200
        assert "Please correct the errors" in response.text
        assert not Shift.objects.exists()

    def test_add_and_remove_a_shift_across_midnight(self, rm, supervisor, login):
        http = login(supervisor)
        response = http.post(
            reverse("managers:shift_add"),
            {"rm": rm.pk, "starts_at": "2026-12-01T20:00", "ends_at": "2026-12-02T08:00"},
        )
        assert response.status_code == 302 and "start=2026-12-01" in response.url
        shift = Shift.objects.get()
        assert timezone.localtime(shift.ends_at).hour == 8
        page = http.get(response.url)
        assert "20:00–24:00…" in page.text and "…00:00–08:00" in page.text
        assert http.post(reverse("managers:shift_delete", args=[shift.pk])).status_code == 302
        assert not Shift.objects.exists()

    @pytest.mark.parametrize("start", ["garbage", "2026-02-30"])
    def test_a_bad_week_date_falls_back_to_this_week(self, supervisor, login, start):
        response = login(supervisor).get(reverse("managers:rota"), {"start": start})
        assert response.status_code == 200
        assert "That is not a date" in response.text

    def test_rota_marks_the_uncovered_hours_of_each_day(self, rm, supervisor, login):
        tz = timezone.get_current_timezone()
        day = datetime.date(2026, 12, 1)
        ShiftFactory(
            rm=rm,
            starts_at=datetime.datetime(2026, 12, 1, 0, 0, tzinfo=tz),
            ends_at=datetime.datetime(2026, 12, 1, 23, 0, tzinfo=tz),
        )
        ShiftFactory(
            rm=rm,
            starts_at=datetime.datetime(2026, 12, 2, 3, 0, tzinfo=tz),
            ends_at=datetime.datetime(2026, 12, 8, 0, 0, tzinfo=tz),
        )
        page = login(supervisor).get(reverse("managers:rota"), {"start": day.isoformat()})
        assert "23:00–24:00" in page.text and "00:00–03:00" in page.text


class TestHomeAndPanel:
    def test_supervisor_home_shows_queue_gaps_and_rms_needing_attention(
        self, branch, rm, supervisor, login
    ):
        VipClientFactory(branch=branch, name="排队客户")
        page = login(supervisor).get("/")
        assert 'data-testid="widget-unassigned"' in page.text and "排队客户" in page.text
        assert 'data-testid="widget-coverage-gaps"' in page.text
        assert 'data-testid="widget-rm-attention"' in page.text and rm.name in page.text

    def test_rm_home_shows_next_shifts_and_load(self, rm, client_of_rm, login):
        ShiftFactory(rm=rm)
        page = login(rm.user).get("/")
        assert 'data-testid="widget-my-shifts"' in page.text and "on duty now" in page.text
        assert "1 VIP clients of 50" in page.text

    def test_dossier_panel_lists_the_full_history(
        self, client_of_rm, rm, colleague_rm, supervisor, rf
    ):

        assignment_reassign(
            client=client_of_rm, to_rm=colleague_rm, reason="r", handover_note="n", by=supervisor
        )
        request = rf.get("/")
        request.user = supervisor
        context = rm_history_panel(request, client_of_rm)
        assert [a.rm for a in context["assignments"]] == [colleague_rm, rm]


def test_training_page_lists_the_newest_courses_first(supervisor, login):
    TrainingCourseFactory(title="旧课程", held_on=datetime.date(2025, 1, 1))
    TrainingCourseFactory(title="新课程", held_on=datetime.date(2026, 10, 1))
    page = login(supervisor).get(reverse("managers:training")).text
    assert page.index("新课程") < page.index("旧课程")
