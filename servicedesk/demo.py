"""Demo data of the service desk (order 30: after clients and their RMs). Idempotent: natural keys
for products and events, the (client, month) constraint for call-backs, and plans and calls only
seeded into empty tables."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from core.demo import demo_clock, demo_past
from core.models import User
from core.phone import phone_key
from core.registry import register_demo_seeder
from managers.models import Assignment
from servicedesk.models import (
    AnsweredBy,
    Callback,
    CallbackOutcome,
    CallbackStatus,
    CallLog,
    CallTopic,
    Event,
    Invitation,
    PlanAllocation,
    PlanProduct,
    PlanStatus,
    Product,
    Rsvp,
    WealthPlan,
    risk_rank,
)
from servicedesk.services import month_bounds

PRODUCTS = [
    ("MM-001", "安心货币基金", "R1"),
    ("DEP-012", "大额存单12个月", "R1"),
    ("BOND-201", "稳健纯债理财", "R2"),
    ("BOND-305", "中短债增强理财", "R2"),
    ("MIX-330", "平衡配置混合基金", "R3"),
    ("FOF-360", "稳进养老目标FOF", "R3"),
    ("EQ-410", "沪深300指数增强", "R4"),
    ("EQ-450", "科技成长股票基金", "R4"),
    ("PE-510", "私募股权精选", "R5"),
    ("QD-520", "全球新兴市场QDII", "R5"),
]

NEEDS = [
    "关注子女教育金规划",
    "希望提高固收类配置",
    "咨询养老规划",
    "对跨境汇款手续费有意见",
    "想了解家族信托",
    "希望增加线上服务",
    "",
]

ALLOCATIONS = {
    "R1": [("cash", "40"), ("fixed_income", "60")],
    "R2": [("cash", "20"), ("fixed_income", "60"), ("insurance", "20")],
    "R3": [("cash", "10"), ("fixed_income", "45"), ("equity", "35"), ("insurance", "10")],
    "R4": [("cash", "10"), ("fixed_income", "30"), ("equity", "50"), ("alternatives", "10")],
    "R5": [("cash", "5"), ("fixed_income", "15"), ("equity", "55"), ("alternatives", "25")],
}


def _aware(day, hour: int, minute: int = 0, *, clock: datetime) -> datetime:
    """That time of ``day``, never after the demo's ``clock`` (``core.demo.demo_past``):
    everything seeded with it has happened already."""
    return demo_past(timezone.make_aware(datetime.combine(day, time(hour, minute))), clock=clock)


def _seed_products():

    for code, name, rating in PRODUCTS:
        Product.objects.update_or_create(
            code=code, defaults={"name": name, "risk_rating": rating, "active": True}
        )
    return list(Product.objects.filter(active=True))


def _seed_callbacks(*, rng, today, vips, rm_of) -> int:

    # History is seeded once, with the first seeding: a client who became VIP since has no past,
    # and a restart must not invent one (nor move the satisfaction KPI). This month's call-backs
    # of later VIPs come from the call-back job, as in production.
    if Callback.objects.exists():
        return 0
    this_period, _end = month_bounds(today)
    clock = demo_clock(today)
    periods = []
    cursor = this_period
    for _i in range(6):
        periods.append(month_bounds(cursor))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    last_period = periods[1][0]
    rows = []
    for client_id in vips:
        for period, due_on in periods:
            cb = Callback(client_id=client_id, rm_id=rm_of.get(client_id), period=period)
            cb.due_on = due_on
            cb.created_at = _aware(period, 0, 30, clock=clock)
            roll = rng.random()
            if period == this_period:
                # This month: some done already, some not reached with a retry, most to do.
                if roll < 0.3:
                    day = period + timedelta(days=min(rng.randint(0, 9), (today - period).days))
                    cb.status, cb.outcome = CallbackStatus.DONE, CallbackOutcome.REACHED
                    cb.satisfaction_score = rng.choice([3, 4, 4, 5, 5])
                    cb.completed_at = _aware(day, rng.randint(9, 17), clock=clock)
                    cb.needs = rng.choice(NEEDS)
                elif roll < 0.4:
                    cb.status, cb.outcome = CallbackStatus.RETRY, CallbackOutcome.NOT_REACHED
                    cb.retry_on = today + timedelta(days=rng.randint(0, 3))
                    cb.notes = "电话无人接听，已发短信"
            elif period == last_period and roll < 0.12:
                # Last month's stragglers: overdue now.
                if roll < 0.05:
                    cb.status, cb.outcome = CallbackStatus.RETRY, CallbackOutcome.NOT_REACHED
                    cb.retry_on = due_on - timedelta(days=2)
                    cb.notes = "多次未接通"
            elif roll < 0.06:
                cb.status, cb.outcome = CallbackStatus.DECLINED, CallbackOutcome.DECLINED
                cb.completed_at = _aware(
                    period + timedelta(days=rng.randint(3, 20)), 15, clock=clock
                )
                cb.notes = "客户表示近期不需要回访"
            else:
                cb.status, cb.outcome = CallbackStatus.DONE, CallbackOutcome.REACHED
                cb.satisfaction_score = rng.choice([3, 4, 4, 5, 5, 5])
                cb.completed_at = _aware(
                    period + timedelta(days=rng.randint(2, 25)), rng.randint(9, 18), clock=clock
                )
                cb.needs = rng.choice(NEEDS)
            rows.append(cb)
    Callback.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _seed_plans(*, rng, today, clients, rm_of, products) -> None:

    if WealthPlan.objects.exists():
        return
    statuses = [PlanStatus.DRAFT, PlanStatus.PRESENTED, PlanStatus.ACCEPTED, PlanStatus.DECLINED]
    for index, client in enumerate(clients[:16]):
        status = statuses[index % len(statuses)]
        review = today + timedelta(days=rng.choice([-3, 2, 5, 30, 90, 180]))
        plan = WealthPlan.objects.create(
            client=client,
            rm_id=rm_of.get(client.pk),
            goals=rng.choice(["子女教育金储备", "退休养老规划", "资产稳健增值", "购房资金准备"]),
            horizon_months=rng.choice([12, 36, 60, 120]),
            risk_level=client.risk_level,
            status=status,
            next_review_on=review,
            advice="在风险等级范围内分散配置，定期再平衡。",
        )
        PlanAllocation.objects.bulk_create(
            PlanAllocation(plan=plan, asset_class=c, percent=Decimal(p))
            for c, p in ALLOCATIONS[client.risk_level]
        )
        suitable = [p for p in products if risk_rank(p.risk_rating) <= risk_rank(client.risk_level)]
        PlanProduct.objects.bulk_create(
            PlanProduct(plan=plan, product=p) for p in rng.sample(suitable, min(2, len(suitable)))
        )


def _seed_events(*, today, vips_qs) -> None:

    past, upcoming, later = (
        today - timedelta(days=45),
        today + timedelta(days=12),
        today + timedelta(days=40),
    )
    specs = [
        ("私人银行新年音乐会", past, "上海大剧院", Decimal("3800.00")),
        ("财富管理年度策略会", upcoming, "陆家嘴金融中心38楼", Decimal("2500.00")),
        ("高尔夫邀请赛", later, "佘山国际高尔夫俱乐部", Decimal("3200.00")),
    ]
    guests = list(vips_qs.values_list("pk", flat=True)[:30])
    for index, (title, held_on, place, cost) in enumerate(specs):
        event, _created = Event.objects.get_or_create(
            title=title,
            defaults={"held_on": held_on, "place": place, "cost": cost},
        )
        rows = []
        for n, client_id in enumerate(guests[index * 8 : index * 8 + 12]):
            rsvp = [Rsvp.ACCEPTED, Rsvp.ACCEPTED, Rsvp.DECLINED, Rsvp.PENDING][n % 4]
            if event.held_on < today and rsvp == Rsvp.PENDING:
                rsvp = Rsvp.ACCEPTED
            attended = event.held_on < today and rsvp == Rsvp.ACCEPTED and n % 5 != 0
            rows.append(Invitation(event=event, client_id=client_id, rsvp=rsvp, attended=attended))
        Invitation.objects.bulk_create(rows, ignore_conflicts=True)


def _seed_calls(*, rng, today, clients, rm_of) -> None:

    # Seeded once, with the clients: a bank without clients yet gets its calls on a later run.
    if not clients or CallLog.objects.exists():
        return
    takers = list(User.objects.filter(username__in=["rm", "branch", "supervisor"]))
    if not takers:
        return
    clock = demo_clock(today)
    rows = []
    for n, client in enumerate(clients[:12]):
        day = today - timedelta(days=n % 6)
        rows.append(
            CallLog(
                called_at=_aware(day, 9 + n % 9, 5 * n % 60, clock=clock),
                phone=client.phone,
                phone_normalized=client.phone_normalized or phone_key(client.phone),
                client=client,
                handled_by=takers[n % len(takers)],
                answered_by_kind=AnsweredBy.OWN_RM if n % 3 else AnsweredBy.ON_CALL,
                answered_by_rm_id=rm_of.get(client.pk),
                topic=rng.choice(CallTopic.values),
                notes="客户来电咨询，已解答。",
            )
        )
    rows.append(
        CallLog(
            called_at=_aware(today - timedelta(days=1), 3, 10, clock=clock),
            phone="021-5888 0000",
            phone_normalized=phone_key("021-5888 0000"),
            client=None,
            handled_by=takers[0],
            answered_by_kind=AnsweredBy.UNCOVERED,
            topic=CallTopic.ENQUIRY,
            notes="夜间来电，无值班客户经理，已转主管。",
        )
    )
    CallLog.objects.bulk_create(rows)


def seed(*, rng, today, stdout=None) -> None:

    with transaction.atomic():
        products = _seed_products()
        vips_qs = Client.objects.vips().order_by("pk")
        vips = list(vips_qs.values_list("pk", flat=True))
        rm_of = dict(
            Assignment.objects.filter(ended_at__isnull=True).values_list("client_id", "rm_id")
        )
        count = _seed_callbacks(rng=rng, today=today, vips=vips, rm_of=rm_of)
        # The demo RM ("rm") gets plans and calls of their own; other RMs' clients fill the rest.
        assigned_qs = vips_qs.filter(assignments__ended_at__isnull=True)
        assigned = list(assigned_qs.filter(assignments__rm__user__username="rm")[:8])
        assigned += list(assigned_qs.exclude(pk__in=[c.pk for c in assigned])[:8])
        _seed_plans(rng=rng, today=today, clients=assigned, rm_of=rm_of, products=products)
        _seed_events(today=today, vips_qs=vips_qs)
        _seed_calls(rng=rng, today=today, clients=assigned, rm_of=rm_of)
    if stdout is not None:
        stdout.write(f"servicedesk: {len(products)} products, {count} call-backs considered\n")


def register() -> None:
    register_demo_seeder(key="servicedesk", order=30, seed=seed)
