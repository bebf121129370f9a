"""Demo bank: branches and one user per role with a documented password (see README); the demo's
clock, which every seeder dates what already happened by."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.models import Branch
from core.registry import register_demo_seeder
from core.roles import Role
from core.services import user_create

DEMO_PASSWORD = "VipDemo!2026"

BRANCHES = [
    ("SH001", "上海陆家嘴支行", "上海"),
    ("SH002", "上海静安支行", "上海"),
    ("SH003", "上海徐汇支行", "上海"),
    ("BJ001", "北京金融街支行", "北京"),
    ("SZ001", "深圳福田支行", "深圳"),
]

# username, role, branch code, family name, given name
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, None, "系统", "管理员"),
    ("supervisor", Role.SUPERVISOR, None, "王", "主管"),
    ("rm", Role.RELATIONSHIP_MANAGER, "SH001", "张", "伟"),
    ("branch", Role.BRANCH_STAFF, "SH001", "李", "娜"),
    ("feedback", Role.FEEDBACK_TEAM, None, "陈", "静"),
]


def demo_clock(today: date) -> datetime:
    """The moment the demo bank stands at: now when seeding for today (``seed_demo``), else the
    last moment of ``today`` (a seeding for another day, as tests do)."""
    now = timezone.now()
    if today == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(today, time.max))


def demo_past(moment: datetime, *, clock: datetime) -> datetime:
    """``moment``, or for one after ``clock`` the same time of day on the latest earlier day that
    is not: a call, a trade or a call-back the demo says took place never lies in its future (issue
    14: this afternoon's calls seeded in the morning)."""
    while moment > clock:
        moment -= timedelta(days=1)
    return moment


def seed(*, rng, today, stdout=None) -> None:

    branches = {}
    for code, name, city in BRANCHES:
        branch, _ = Branch.objects.update_or_create(
            code=code, defaults={"name": name, "city": city}
        )
        branches[code] = branch
    for username, role, branch_code, last, first in DEMO_USERS:
        user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            branch=branches.get(branch_code) if branch_code else None,
            first_name=first,
            last_name=last,
            email=f"{username}@bank.example",
        )


def register() -> None:
    register_demo_seeder(key="core", order=0, seed=seed)
