from collections import defaultdict
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors import client_for_user
from core.access import role_required
from core.forms import errors_to_form
from core.lists import Sorting, page_of
from core.models import Branch
from core.roles import Role
from managers import selectors
from managers.forms import (
    AssignForm,
    BoardFilter,
    CandidateFilter,
    CandidateForm,
    CourseForm,
    ReassignForm,
    RecordForm,
    RejectForm,
    ShiftForm,
    TrainingFilter,
    WeekForm,
)
from managers.models import RelationshipManager, RmStatus, Shift, TrainingCourse

# Module-qualified: a view is named shift_delete too.
from managers.services import rota as rota_services
from managers.services.assignments import assignment_start
from managers.services.reassignment import assignment_reassign_request
from managers.services.selection import (
    rm_candidate_approve,
    rm_candidate_create,
    rm_candidate_reject,
)
from managers.services.training import training_course_create, training_record_set

SUPERVISOR = Role.SUPERVISOR
RM = Role.RELATIONSHIP_MANAGER
QUEUE_LIMIT = 50
BOARD_SORTING = Sorting(
    {"employee_no": "employee_no", "name": "name", "load": "open_count", "branch": "branch__code"},
    default="employee_no",
)
CANDIDATE_SORTING = Sorting(
    {
        "employee_no": "employee_no",
        "name": "name",
        "years_experience": "years_experience",
        "communication_score": "communication_score",
    },
    default="employee_no",
)
TRAINING_SORTING = Sorting(
    {"employee_no": "employee_no", "name": "name", "last_passed_on": "last_passed_on"},
    default="employee_no",
)


# --- Board and assignments --------------------------------------------------------------------


@role_required(SUPERVISOR)
def board(request):
    """Each RM's load against capacity, flags, and the unassigned VIP queue with an assign action."""
    today = timezone.localdate()
    filters = BoardFilter.of(request, selectors.rms_with_load().filter(status=RmStatus.ACTIVE))
    rms, sort = BOARD_SORTING.apply(filters.qs, request.GET.get("sort"))
    page_obj = page_of(request, rms)
    rows = selectors.rm_rows(page_obj.object_list, as_of=today)

    queue_qs = selectors.unassigned_vips()
    queue_total = queue_qs.count()
    queue = list(queue_qs[:QUEUE_LIMIT])
    choices = defaultdict(list)
    if queue:
        branch_ids = {c.branch_id for c in queue}
        for rm in selectors.rms_with_load().filter(
            status=RmStatus.ACTIVE, branch_id__in=branch_ids
        ):
            choices[rm.branch_id].append(rm)
    queue_rows = [{"client": c, "rms": choices.get(c.branch_id, [])} for c in queue]
    return render(
        request,
        "managers/board.html",
        {
            "filters": filters.form,
            "rows": rows,
            "page_obj": page_obj,
            "sort": sort,
            "queue_rows": queue_rows,
            "queue_total": queue_total,
            "queue_limit": QUEUE_LIMIT,
        },
    )


@role_required(SUPERVISOR)
@require_POST
def assign(request, client_pk: int):
    client = client_for_user(user=request.user, pk=client_pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an active relationship manager."))
        return redirect(reverse("managers:board") + "#unassigned")
    try:
        assignment_start(client=client, rm=form.cleaned_data["rm"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(client)s is now with %(rm)s.")
            % {"client": client.name, "rm": form.cleaned_data["rm"].name},
        )
    return redirect(reverse("managers:board") + "#unassigned")


@role_required(SUPERVISOR)
def reassign(request, client_pk: int):
    client = client_for_user(user=request.user, pk=client_pk)
    current = selectors.active_assignment_for(client=client)
    form = ReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = assignment_reassign_request(
                client=client,
                to_rm=form.cleaned_data["to_rm"],
                reason=form.cleaned_data["reason"],
                handover_note=form.cleaned_data["handover_note"],
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if proposal is None:
                messages.success(request, _("The client has been handed over."))
                return redirect("managers:history", client_pk=client.pk)
            messages.success(
                request,
                _("Proposed: the handover takes effect when a second supervisor approves it."),
            )
            return redirect("approvals:detail", pk=proposal.pk)
    history = list(selectors.assignment_history(client=client))
    return render(
        request,
        "managers/reassign.html",
        {"client": client, "current": current, "form": form, "history": history},
    )


@role_required(RM, Role.BRANCH_STAFF, SUPERVISOR)
def history(request, client_pk: int):
    client = client_for_user(user=request.user, pk=client_pk)
    history = list(selectors.assignment_history(client=client))
    return render(
        request,
        "managers/history.html",
        {"client": client, "history": history, "can_reassign": request.user.is_service_wide},
    )


# --- Selection --------------------------------------------------------------------------------


@role_required(SUPERVISOR)
def candidate_list(request):
    policy = selectors.policy_current()
    filters = CandidateFilter.of(request, selectors.candidates())
    qs, sort = CANDIDATE_SORTING.apply(filters.qs, request.GET.get("sort"))
    page_obj = page_of(request, qs)
    rows = [
        {
            "rm": rm,
            "criteria": selectors.candidate_criteria(rm=rm, policy=policy),
            "eligible": selectors.candidate_meets_policy(rm=rm, policy=policy),
        }
        for rm in page_obj.object_list
    ]
    return render(
        request,
        "managers/candidates.html",
        {
            "policy": policy,
            "rows": rows,
            "page_obj": page_obj,
            "branches": Branch.objects.all(),
            "branch": str(filters.value("branch")),
            "sort": sort,
            "reject_form": RejectForm(),
        },
    )


@role_required(SUPERVISOR)
def candidate_add(request):
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rm = rm_candidate_create(**{k: form.cleaned_data[k] for k in form.Meta.fields})
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Candidate %(name)s added.") % {"name": rm.name})
            return redirect("managers:candidates")
    return render(request, "managers/candidate_form.html", {"form": form})


def _candidate(pk: int) -> RelationshipManager:
    return get_object_or_404(
        RelationshipManager.objects.select_related("branch", "user"),
        pk=pk,
        status=RmStatus.CANDIDATE,
    )


@role_required(SUPERVISOR)
@require_POST
def candidate_approve(request, pk: int):
    rm = _candidate(pk)
    try:
        rm_candidate_approve(rm=rm, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is now an active RM.") % {"name": rm.name})
    return redirect("managers:candidates")


@role_required(SUPERVISOR)
def candidate_reject(request, pk: int):
    rm = _candidate(pk)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rm_candidate_reject(rm=rm, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("%(name)s was not selected.") % {"name": rm.name})
            return redirect("managers:candidates")
    policy = selectors.policy_current()
    return render(
        request,
        "managers/candidate_reject.html",
        {"rm": rm, "form": form, "criteria": selectors.candidate_criteria(rm=rm, policy=policy)},
    )


# --- Training ---------------------------------------------------------------------------------


@role_required(RM, SUPERVISOR)
def training(request):
    """Supervisors: every RM's training status (lapsed flagged) and the courses. An RM: their own
    training record."""
    if not request.user.is_service_wide:
        own = selectors.rm_for_user(user=request.user)
        if own is None:
            raise Http404
        return training_rm(request, pk=own.pk)
    today = timezone.localdate()
    since = selectors.training_valid_since(as_of=today)
    filters = TrainingFilter.of(request, selectors.rms_with_load().filter(status=RmStatus.ACTIVE))
    rms, sort = TRAINING_SORTING.apply(filters.qs, request.GET.get("sort"))
    page_obj = page_of(request, rms)
    courses = list(selectors.courses_with_counts()[:12])
    chronological = courses[::-1]
    chart = {
        "labels": [f"{c.held_on:%Y-%m} {c.title}" for c in chronological],
        "attendees": [c.attendees for c in chronological],
        "passed": [c.passed for c in chronological],
        "attendees_label": _("Attendees"),
        "passed_label": _("Passed"),
    }
    return render(
        request,
        "managers/training.html",
        {
            "rows": selectors.rm_rows(page_obj.object_list, as_of=today),
            "page_obj": page_obj,
            "since": since,
            "courses": courses,
            "chart": chart,
            "branches": Branch.objects.all(),
            "branch": str(filters.value("branch")),
            "sort": sort,
            "spend_year": today.year,
            "spend": selectors.training_spend(year=today.year),
        },
    )


@role_required(RM, SUPERVISOR)
def training_rm(request, pk: int):
    rm = selectors.training_rm_for(user=request.user, pk=pk)
    today = timezone.localdate()
    since = selectors.training_valid_since(as_of=today)
    records = list(selectors.training_records_of(rm=rm))
    last_passed = next((r.course.held_on for r in records if r.result == "passed"), None)
    return render(
        request,
        "managers/training_rm.html",
        {
            "rm": rm,
            "records": records,
            "since": since,
            "last_passed": last_passed,
            "lapsed": rm.status == RmStatus.ACTIVE and (last_passed is None or last_passed < since),
            "is_supervisor": request.user.is_service_wide,
        },
    )


@role_required(SUPERVISOR)
def course_add(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = training_course_create(**form.cleaned_data)
        messages.success(request, _("Course added. Now record who attended."))
        return redirect("managers:course_detail", pk=course.pk)
    return render(request, "managers/course_form.html", {"form": form})


@role_required(SUPERVISOR)
def course_detail(request, pk: int):
    course = get_object_or_404(TrainingCourse, pk=pk)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training_record_set(course=course, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("managers:course_detail", pk=course.pk)
    records = list(course.records.select_related("rm", "rm__branch").order_by("rm__employee_no"))
    return render(
        request, "managers/course_detail.html", {"course": course, "records": records, "form": form}
    )


# --- Rota -------------------------------------------------------------------------------------


def _week_start(request):
    form = WeekForm(request.GET or None)
    today = timezone.localdate()
    if request.GET.get("start") and not form.is_valid():
        messages.error(request, _("That is not a date; showing this week."))
        return today, form
    if form.is_valid() and form.cleaned_data["start"]:
        return form.cleaned_data["start"], form
    return today, form


def _day_parts(days, starts_at: datetime, ends_at: datetime):
    """``(index, from, to)`` for each of ``days`` that the span [starts_at, ends_at) touches, cut
    to that day, in local time."""
    tz = timezone.get_current_timezone()
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    for i, day in enumerate(days):
        day_start = datetime.combine(day, time.min, tzinfo=tz)
        day_end = day_start + timedelta(days=1)
        if local_start < day_end and local_end > day_start:
            yield i, max(local_start, day_start), min(local_end, day_end)


def _rota_rows(shifts, days, me) -> list[dict]:
    """One row per RM (the user's own first), one cell per day with the shifts in it."""
    by_rm: dict[int, dict] = {}
    for shift in shifts:
        row = by_rm.setdefault(
            shift.rm_id, {"rm": shift.rm, "cells": [[] for _d in days], "mine": False}
        )
        row["mine"] = me is not None and shift.rm_id == me.pk
        for i, part_from, part_to in _day_parts(days, shift.starts_at, shift.ends_at):
            row["cells"][i].append(
                {
                    "shift": shift,
                    "from": part_from,
                    "to": part_to,
                    "continues": shift.ends_at > part_to,
                    "continued": shift.starts_at < part_from,
                }
            )
    return sorted(by_rm.values(), key=lambda r: (not r["mine"], r["rm"].employee_no))


@role_required(RM, SUPERVISOR)
def rota(request):
    """A week of on-call shifts: one row per RM, one column per day; supervisors also see the
    coverage gaps of the next 7 days and add or remove shifts."""
    start_day, week_form = _week_start(request)
    tz = timezone.get_current_timezone()
    days = [start_day + timedelta(days=i) for i in range(7)]
    window_start = datetime.combine(start_day, time.min, tzinfo=tz)
    window_end = window_start + timedelta(days=7)
    shifts = list(selectors.shifts_between(start=window_start, end=window_end))
    me = selectors.rm_for_user(user=request.user)

    rows = _rota_rows(shifts, days, me)
    day_gaps: list[list[tuple[datetime, datetime]]] = [[] for _d in days]
    for gap_from, gap_to in selectors.coverage_gaps(start=window_start, end=window_end):
        for i, part_from, part_to in _day_parts(days, gap_from, gap_to):
            day_gaps[i].append((part_from, part_to))

    is_supervisor = request.user.is_service_wide
    now = timezone.now()
    context = {
        "days": days,
        "rows": rows,
        "day_gaps": day_gaps,
        "today": timezone.localdate(),
        "prev_week": start_day - timedelta(days=7),
        "next_week": start_day + timedelta(days=7),
        "week_form": week_form,
        "is_supervisor": is_supervisor,
        "me": me,
        "my_shifts": selectors.next_shifts_of(rm=me, now=now) if me else [],
    }
    if is_supervisor:
        gap_start, gap_end = selectors.next_week_window(now=now)
        context["gaps"] = selectors.coverage_gaps(start=gap_start, end=gap_end)
        context["shift_form"] = ShiftForm(
            initial={
                "starts_at": datetime.combine(start_day, time(8, 0)),
                "ends_at": datetime.combine(start_day, time(20, 0)),
            }
        )
    return render(request, "managers/rota.html", context)


@role_required(SUPERVISOR)
def shift_add(request):
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = rota_services.shift_create(
                rm=form.cleaned_data["rm"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Shift added."))
            start = timezone.localtime(shift.starts_at).date()
            return redirect(f"{reverse('managers:rota')}?start={start.isoformat()}")
    return render(request, "managers/shift_form.html", {"form": form})


@role_required(SUPERVISOR)
@require_POST
def shift_delete(request, pk: int):
    shift = get_object_or_404(Shift, pk=pk)
    start = timezone.localtime(shift.starts_at).date()
    rota_services.shift_delete(shift=shift)
    messages.success(request, _("Shift removed."))
    return redirect(f"{reverse('managers:rota')}?start={start.isoformat()}")
