import datetime
from zoneinfo import ZoneInfo

import pytest

from managers import selectors
from managers.models import RmStatus
from tests.factories.clients import VipClientFactory
from tests.factories.managers import AssignmentFactory, ShiftFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SH)


def shift(rm, start, end):
    return ShiftFactory(rm=rm, starts_at=start, ends_at=end)


class TestCoverageGaps:
    def test_no_shift_at_all_is_one_gap_over_the_whole_window(self, rm):
        assert selectors.coverage_gaps(start=at(1, 0), end=at(8, 0)) == [(at(1, 0), at(8, 0))]

    def test_back_to_back_day_and_night_shifts_cover_24_hours(self, rm, colleague_rm):
        for day in range(1, 8):
            shift(rm, at(day, 8), at(day, 20))
            shift(colleague_rm, at(day, 20), at(day + 1, 8))
        shift(colleague_rm, at(1, 0), at(1, 8))
        assert selectors.coverage_gaps(start=at(1, 0), end=at(8, 0)) == []

    def test_a_gap_across_midnight(self, rm, colleague_rm):
        shift(rm, at(1, 8), at(1, 23))
        shift(colleague_rm, at(2, 3), at(2, 20))
        assert selectors.coverage_gaps(start=at(1, 8), end=at(2, 20)) == [(at(1, 23), at(2, 3))]

    def test_overlapping_and_nested_shifts_are_merged(self, rm, colleague_rm):
        shift(rm, at(1, 0), at(1, 12))
        shift(colleague_rm, at(1, 10), at(1, 18))
        shift(rm, at(1, 11), at(1, 13))  # nested inside the union
        shift(colleague_rm, at(1, 19), at(2, 0))
        gaps = selectors.coverage_gaps(start=at(1, 0), end=at(2, 0))
        assert gaps == [(at(1, 18), at(1, 19))]

    def test_shifts_reaching_outside_the_window_are_clipped(self, rm):
        shift(rm, at(1, 0), at(1, 12))
        shift(rm, at(1, 14), at(3, 0))
        gaps = selectors.coverage_gaps(start=at(1, 6), end=at(2, 0))
        assert gaps == [(at(1, 12), at(1, 14))]

    def test_gaps_at_both_ends_of_the_window(self, rm):
        shift(rm, at(1, 10), at(1, 12))
        gaps = selectors.coverage_gaps(start=at(1, 8), end=at(1, 16))
        assert gaps == [(at(1, 8), at(1, 10)), (at(1, 12), at(1, 16))]

    def test_an_inactive_rms_shift_does_not_cover(self, rm):
        shift(rm, at(1, 0), at(2, 0))
        rm.status = RmStatus.INACTIVE
        rm.save()
        assert selectors.coverage_gaps(start=at(1, 0), end=at(2, 0)) == [(at(1, 0), at(2, 0))]


class TestWhoAnswers:
    def test_own_rm_on_shift_answers(self, client_of_rm, rm, colleague_rm):
        shift(colleague_rm, at(1, 0), at(1, 20))  # started first, but the own RM wins
        shift(rm, at(1, 8), at(1, 20))
        answer = selectors.who_answers(client=client_of_rm, at=at(1, 9))
        assert (answer.rm, answer.kind, answer.covered) == (rm, "own_rm", True)

    def test_on_call_rm_answers_when_own_rm_is_off(self, client_of_rm, rm, colleague_rm):
        shift(colleague_rm, at(1, 8), at(1, 20))
        shift(rm, at(1, 20), at(2, 8))
        answer = selectors.who_answers(client=client_of_rm, at=at(1, 9))
        assert (answer.rm, answer.kind) == (colleague_rm, "on_call")

    def test_the_longest_serving_on_call_rm_answers(self, rm, colleague_rm):
        shift(colleague_rm, at(1, 10), at(1, 20))
        shift(rm, at(1, 8), at(1, 20))
        assert selectors.who_answers(client=None, at=at(1, 11)).rm == rm

    def test_an_unknown_caller_gets_the_on_call_rm(self, rm):
        shift(rm, at(1, 8), at(1, 20))
        answer = selectors.who_answers(client=None, at=at(1, 8))
        assert (answer.rm, answer.kind) == (rm, "on_call")

    def test_nobody_on_shift_is_uncovered(self, client_of_rm, rm):
        answer = selectors.who_answers(client=client_of_rm, at=at(1, 9))
        assert (answer.rm, answer.kind, answer.covered) == (None, "uncovered", False)

    def test_a_shift_end_is_exclusive_and_its_start_inclusive(self, client_of_rm, rm):
        shift(rm, at(1, 8), at(1, 20))
        assert selectors.who_answers(client=client_of_rm, at=at(1, 8)).kind == "own_rm"
        assert selectors.who_answers(client=client_of_rm, at=at(1, 19, 59)).kind == "own_rm"
        assert selectors.who_answers(client=client_of_rm, at=at(1, 20)).kind == "uncovered"

    def test_an_inactive_rm_on_shift_is_ignored(self, client_of_rm, rm, colleague_rm):
        shift(rm, at(1, 8), at(1, 20))
        shift(colleague_rm, at(1, 8), at(1, 20))
        rm.status = RmStatus.INACTIVE
        rm.save()
        answer = selectors.who_answers(client=client_of_rm, at=at(1, 9))
        assert (answer.rm, answer.kind) == (colleague_rm, "on_call")
        colleague_rm.status = RmStatus.INACTIVE
        colleague_rm.save()
        assert selectors.who_answers(client=client_of_rm, at=at(1, 9)).kind == "uncovered"

    def test_an_ended_assignment_does_not_make_an_own_rm(self, branch, rm, colleague_rm):
        client = VipClientFactory(branch=branch)
        AssignmentFactory(
            client=client,
            rm=rm,
            ended_at=at(1, 0),
            started_at=at(1, 0) - datetime.timedelta(days=30),
        )
        shift(rm, at(1, 8), at(1, 20))
        answer = selectors.who_answers(client=client, at=at(1, 9))
        assert (answer.rm, answer.kind) == (rm, "on_call")
