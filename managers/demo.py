"""Demo data: RMs in every branch (the demo user ``rm`` is E10001 in SH001), candidates, two
years of training with one RM lapsed, a rota covering 24 hours except one deliberate gap across
midnight, then the automatic assignment of every demo VIP."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.dates import months_before
from core.demo import BRANCHES, DEMO_PASSWORD
from core.models import Branch, User
from core.registry import register_demo_seeder
from core.roles import Role
from managers.models import (
    RelationshipManager,
    RmStatus,
    Shift,
    TrainingCourse,
    TrainingRecord,
    TrainingResult,
)
from managers.services.assignments import assignments_sync

# Per branch: (family name, given name); the first of SH001 is the demo user ``rm`` (张伟).
RM_NAMES = {
    "SH001": [("张", "伟"), ("刘", "洋"), ("陈", "晨"), ("杨", "帆")],
    "SH002": [("赵", "磊"), ("黄", "婷"), ("周", "杰")],
    "SH003": [("吴", "敏"), ("徐", "亮"), ("孙", "悦"), ("胡", "军")],
    "BJ001": [("朱", "琳"), ("高", "峰"), ("林", "静")],
    "SZ001": [("何", "斌"), ("郭", "颖"), ("马", "超")],
}
LAPSED_EMPLOYEE_NO = "E10003"

# employee_no, family, given, branch, years, score, certifications
CANDIDATES = [
    ("E19001", "罗", "宁", "SH001", 5, 5, "AFP, CFP"),
    ("E19002", "梁", "慧", "SH002", 3, 4, "AFP"),
    ("E19003", "宋", "涛", "BJ001", 2, 5, "AFP"),
    ("E19004", "谢", "璐", "SZ001", 6, 3, ""),
]

# title, months ago, hours
COURSES = [
    ("高端客户服务礼仪", 17, Decimal("8.0")),
    ("财富管理与资产配置", 14, Decimal("16.0")),
    ("反洗钱与合规", 11, Decimal("6.0")),
    ("投资者适当性管理", 8, Decimal("8.0")),
    ("家族信托与税务筹划", 5, Decimal("12.0")),
    ("投诉处理与客户挽留", 2, Decimal("6.0")),
]


def employee_no(branch_index: int, n: int) -> str:
    return f"E1{branch_index}{n:03d}"


def _seed_rms(branches: dict[str, Branch]) -> list[RelationshipManager]:
    group, _created = Group.objects.get_or_create(name=Role.RELATIONSHIP_MANAGER.value)
    password = None
    rms = []
    for index, (code, *_rest) in enumerate(BRANCHES):
        branch = branches[code]
        for n, (family, given) in enumerate(RM_NAMES[code], start=1):
            number = employee_no(index, n)
            username = "rm" if number == "E10001" else f"rm_{number.lower()}"
            user = User.objects.filter(username=username).first()
            if user is None:
                # One hash for every demo RM: hashing per user would make seeding slow.
                password = password or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    username=username,
                    password=password,
                    first_name=given,
                    last_name=family,
                    email=f"{username}@bank.example",
                    branch=branch,
                )
                user.groups.add(group)
            rm, _created = RelationshipManager.objects.get_or_create(
                employee_no=number,
                defaults={
                    "user": user,
                    "name": f"{family}{given}",
                    "branch": branch,
                    "phone": f"1391000{index}{n:03d}",
                    "years_experience": 3 + (index + n) % 8,
                    "certifications": "AFP" if n % 2 else "AFP, CFP",
                    "communication_score": 4 + (n % 2),
                    "status": RmStatus.ACTIVE,
                    "capacity": 50,
                    "decided_at": timezone.now(),
                },
            )
            rms.append(rm)
    return rms


def _seed_candidates(branches: dict[str, Branch]) -> None:
    for number, family, given, code, years, score, certs in CANDIDATES:
        RelationshipManager.objects.get_or_create(
            employee_no=number,
            defaults={
                "name": f"{family}{given}",
                "branch": branches[code],
                "years_experience": years,
                "communication_score": score,
                "certifications": certs,
                "status": RmStatus.CANDIDATE,
            },
        )


def _seed_training(rms: list[RelationshipManager], *, rng, today) -> None:
    courses = []
    for title, months_ago, hours in COURSES:
        course, _created = TrainingCourse.objects.get_or_create(
            title=title,
            defaults={"held_on": months_before(today, months_ago), "hours": hours},
        )
        courses.append((course, months_ago))
    existing = set(TrainingRecord.objects.values_list("course_id", "rm_id"))
    records = []
    for i, rm in enumerate(rms):
        for j, (course, months_ago) in enumerate(courses):
            if (course.pk, rm.pk) in existing or (i + j) % 2:
                continue
            if rm.employee_no == LAPSED_EMPLOYEE_NO and months_ago < 12:
                result = TrainingResult.ABSENT if j % 2 else TrainingResult.FAILED
            else:
                result = rng.choice(
                    [TrainingResult.PASSED] * 8 + [TrainingResult.FAILED, TrainingResult.ABSENT]
                )
            records.append(
                TrainingRecord(
                    course=course,
                    rm=rm,
                    result=result,
                    score=None if result == TrainingResult.ABSENT else rng.randint(60, 98),
                )
            )
        # Everyone but the lapsed RM passes the most recent course they attend, so exactly one RM
        # shows as lapsed on the supervisor's page.
        if rm.employee_no != LAPSED_EMPLOYEE_NO:
            recent = courses[-1 - (i % 2)][0]
            if (recent.pk, rm.pk) not in existing:
                records = [r for r in records if not (r.course is recent and r.rm is rm)]
                records.append(
                    TrainingRecord(course=recent, rm=rm, result=TrainingResult.PASSED, score=88)
                )
    TrainingRecord.objects.bulk_create(records, ignore_conflicts=True)


def _seed_rota(rms: list[RelationshipManager], *, today) -> None:
    """Two 12-hour shifts a day (08:00–20:00, 20:00–08:00) for the past 30 and next 7 days, rotating
    through the RMs; in three days' time the night shift leaves 23:00–03:00 uncovered."""
    tz = timezone.get_current_timezone()
    wanted = []
    for offset in range(-30, 8):
        day = today + timedelta(days=offset)
        day_start = datetime.combine(day, time(8, 0), tzinfo=tz)
        night = day_start + timedelta(hours=12)
        morning = day_start + timedelta(days=1)
        day_rm = rms[(2 * offset) % len(rms)]
        night_rm = rms[(2 * offset + 1) % len(rms)]
        wanted.append((day_rm.pk, day_start, night))
        if offset == 3:
            wanted.append((night_rm.pk, night, night + timedelta(hours=3)))
            wanted.append((night_rm.pk, night + timedelta(hours=7), morning))
        else:
            wanted.append((night_rm.pk, night, morning))
    window_start, window_end = wanted[0][1], wanted[-1][2]
    existing = set(
        Shift.objects.filter(starts_at__gte=window_start, starts_at__lt=window_end).values_list(
            "rm_id", "starts_at", "ends_at"
        )
    )
    Shift.objects.bulk_create(
        Shift(rm_id=rm_id, starts_at=s, ends_at=e)
        for rm_id, s, e in wanted
        if (rm_id, s, e) not in existing
    )


@transaction.atomic
def seed(*, rng, today, stdout=None) -> None:

    branches = {b.code: b for b in Branch.objects.filter(code__in=[c for c, *_r in BRANCHES])}
    # Draw exactly one number from the shared generator whatever this run does, so the seeders
    # after this one see the same sequence on every run.
    local_rng = random.Random(rng.random())
    rms = _seed_rms(branches)
    _seed_candidates(branches)
    _seed_training(rms, rng=local_rng, today=today)
    _seed_rota(rms, today=today)
    result = assignments_sync(as_of=today)
    if stdout is not None:
        stdout.write(
            f"  managers: {len(rms)} RMs, {result['assigned']} VIPs assigned, "
            f"{result['unassigned']} unassigned"
        )


def register() -> None:
    register_demo_seeder(key="managers", order=20, seed=seed)
