"""Writes of the service desk: hotline calls, call-backs, wealth plans, events."""

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import VIP_STATUSES, Client, VipStatus
from core.models import Notification, User
from core.phone import normalize_phone
from core.selectors import supervisors
from core.services import audit_record, notification_create
from feedback.services.unhappy_clients import unhappy_client_follow_up
from managers.models import Assignment
from managers.selectors import rm_of_client, who_answers
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
from servicedesk.selectors import client_by_phone

HUNDRED = Decimal("100")


# --- Hotline -------------------------------------------------------------------------------------


def hotline_lookup_record(*, user: User, client: Client, in_scope: bool) -> None:
    """Audit that ``user`` looked ``client`` up on the hotline. The record names the client by id,
    never by the number dialled (no PII in the audit, issue 13)."""
    audit_record(actor=user, event="hotline_lookup", instance=client, detail={"in_scope": in_scope})


@transaction.atomic
def call_log_create(
    *,
    handled_by: User,
    phone: str,
    topic: str,
    notes: str = "",
    at: datetime | None = None,
) -> CallLog:
    """Log a hotline call. The caller is matched by normalised number; who should answer is
    decided at the moment of the call; an uncovered call alerts the supervisors."""

    if topic not in CallTopic.values:
        raise ValidationError({"topic": _("Choose a topic from the list.")})
    normalized = normalize_phone(phone)
    at = at or timezone.now()
    client = client_by_phone(normalized=normalized)
    responder = who_answers(client=client, at=at)
    call = CallLog.objects.create(
        called_at=at,
        phone=phone.strip()[:40],
        phone_normalized=normalized,
        client=client,
        handled_by=handled_by,
        answered_by_kind=responder.kind,
        answered_by_rm=responder.rm,
        topic=topic,
        notes=notes.strip(),
    )
    if responder.kind == AnsweredBy.UNCOVERED:
        notification_create(
            recipients=supervisors(),
            title=lambda: (
                _("Uncovered hotline call at %(time)s")
                % {"time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
            ),
            body=lambda: _("No RM was on shift. Call taken by %(user)s.") % {"user": handled_by},
            url=reverse("servicedesk:hotline"),
            level=Notification.Level.DANGER,
            dedupe_key=f"uncovered-call-{call.pk}",
        )
    return call


# --- Call-backs ------------------------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of ``day``'s calendar month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


@transaction.atomic
def callbacks_generate(*, on: date) -> int:
    """Create the month's call-back for every VIP (incl. at risk) that lacks one; returns how many
    were created. One ``INSERT ... SELECT``: the VIPs without a call-back for the month, each with
    its assigned RM, go straight from the clients table to the call-backs (the first night of a
    big bank has a hundred thousand), and the unique (client, period) constraint makes a
    concurrent or repeated run harmless.

    The VIPs lacking one are a set difference (``EXCEPT``), not an anti-join: an anti-join against
    the table being filled can be planned as a nested loop that re-scans it for every VIP, and on
    a first night (an empty, analysed call-back table) that loop re-read every row inserted so far,
    quadratic: 214 s for 137,146 VIPs at 1M clients (benchmarks/REPORT.md). ``EXCEPT`` reads both
    sides whole before the first row is inserted, whatever the statistics say."""

    period, due_on = month_bounds(on)
    vips = Client.objects.filter(status__in=VIP_STATUSES).order_by().values(vip_id=F("pk"))
    called = Callback.objects.filter(period=period).order_by().values(vip_id=F("client_id"))
    lacking, lacking_params = vips.difference(called).order_by().query.sql_with_params()
    assignments = Assignment._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        # At most one open assignment per client (managers.Assignment's constraint): LIMIT 1 is
        # that one. "WHERE 1 = 1": SQLite would read ON CONFLICT as a join's ON without it.
        cursor.execute(
            f"""INSERT INTO {Callback._meta.db_table}
                    (client_id, rm_id, period, due_on, status, outcome, notes, needs, created_at)
                SELECT lacking.vip_id,
                       (SELECT a.rm_id FROM {assignments} a
                        WHERE a.client_id = lacking.vip_id AND a.ended_at IS NULL LIMIT 1),
                       %s, %s, %s, '', '', '', %s
                FROM ({lacking}) AS lacking
                WHERE 1 = 1 ON CONFLICT (client_id, period) DO NOTHING""",
            [
                ops.adapt_datefield_value(period),
                ops.adapt_datefield_value(due_on),
                CallbackStatus.PENDING,
                ops.adapt_datetimefield_value(timezone.now()),
                *lacking_params,
            ],
        )
        return max(cursor.rowcount, 0)


@transaction.atomic
def callback_complete(
    *,
    callback: Callback,
    by: User,
    outcome: str,
    needs: str = "",
    notes: str = "",
    retry_on: date | None = None,
    satisfaction_score: int | None = None,
) -> Callback:
    """Record a call-back's outcome. Reached or declined completes it; not reached keeps it open
    with a required retry date (today or later)."""
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if callback.is_completed:
        raise ValidationError(_("This call-back is already completed."))
    if outcome not in CallbackOutcome.values:
        errors["outcome"] = _("Choose an outcome.")
    if outcome == CallbackOutcome.NOT_REACHED:
        if retry_on is None:
            errors["retry_on"] = _("A client not reached needs a retry date.")
        elif retry_on < today:
            errors["retry_on"] = _("The retry date cannot be in the past.")
    elif retry_on is not None:
        errors["retry_on"] = _("A retry date is only for a client not reached.")
    if satisfaction_score is not None:
        if not 1 <= satisfaction_score <= 5:
            errors["satisfaction_score"] = _("The satisfaction score is from 1 to 5.")
        elif outcome != CallbackOutcome.REACHED:
            errors["satisfaction_score"] = _("Only a client reached can give a score.")
    if errors:
        raise ValidationError(errors)
    callback.outcome = outcome
    callback.needs = needs.strip()
    callback.notes = notes.strip()
    callback.retry_on = retry_on
    callback.satisfaction_score = satisfaction_score
    if outcome == CallbackOutcome.NOT_REACHED:
        callback.status = CallbackStatus.RETRY
        callback.completed_at = None
        callback.completed_by = None
    else:
        callback.status = (
            CallbackStatus.DONE if outcome == CallbackOutcome.REACHED else CallbackStatus.DECLINED
        )
        callback.completed_at = timezone.now()
        callback.completed_by = by
    callback.save()
    unhappy_client_follow_up(
        client=callback.client,
        score=satisfaction_score,
        source="callback",
        reference=f"{callback.period:%Y-%m}",
        url=reverse("servicedesk:callback_detail", args=[callback.pk]),
    )
    return callback


# --- Wealth plans ----------------------------------------------------------------------------------


def _plan_problems(
    *,
    client: Client,
    risk_level: str,
    allocations: Sequence[tuple[str, Decimal]],
    products: Iterable[Product],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if risk_rank(risk_level) > risk_rank(client.risk_level):
        errors.setdefault("risk_level", []).append(
            _("The plan's risk level %(plan)s is above the client's risk level %(client)s.")
            % {"plan": risk_level, "client": client.risk_level}
        )
    for product in products:
        problem = product.suitability_problem(client.risk_level)
        if problem:
            errors.setdefault("products", []).append(problem)
        elif not product.active:
            errors.setdefault("products", []).append(
                _("Product %(code)s is no longer offered.") % {"code": product.code}
            )
    classes = [asset_class for asset_class, _percent in allocations]
    if len(set(classes)) != len(classes):
        errors.setdefault("allocations", []).append(_("Each asset class may appear only once."))
    if any(percent <= 0 for _class, percent in allocations):
        errors.setdefault("allocations", []).append(_("Each percentage must be above 0."))
    total = sum((percent for _class, percent in allocations), Decimal("0"))
    if total != HUNDRED:
        errors.setdefault("allocations", []).append(
            _("The allocation must add up to exactly 100%% (now %(total)s%%).") % {"total": total}
        )
    return errors


def _plan_write(
    *,
    plan: WealthPlan,
    allocations: Sequence[tuple[str, Decimal]],
    products: Sequence[Product],
) -> None:
    plan.allocations.all().delete()
    PlanAllocation.objects.bulk_create(
        PlanAllocation(plan=plan, asset_class=c, percent=p) for c, p in allocations
    )
    plan.plan_products.all().delete()
    PlanProduct.objects.bulk_create(PlanProduct(plan=plan, product=p) for p in products)


@transaction.atomic
def wealth_plan_create(
    *,
    client: Client,
    by: User,
    goals: str,
    horizon_months: int,
    allocations: Sequence[tuple[str, Decimal]],
    products: Sequence[Product] = (),
    risk_level: str | None = None,
    advice: str = "",
    next_review_on: date | None = None,
) -> WealthPlan:
    """A new draft plan. Suitability (适当性) and the 100% allocation are enforced here, whatever
    the caller: an unsuitable product or a bad allocation raises ValidationError, nothing saved."""

    risk_level = risk_level or client.risk_level
    products = list(products)
    errors = _plan_problems(
        client=client, risk_level=risk_level, allocations=allocations, products=products
    )
    if errors:
        raise ValidationError(errors)
    plan = WealthPlan.objects.create(
        client=client,
        rm=getattr(by, "rm_profile", None) or rm_of_client(client=client),
        goals=goals,
        horizon_months=horizon_months,
        risk_level=risk_level,
        advice=advice,
        next_review_on=next_review_on,
    )
    _plan_write(plan=plan, allocations=allocations, products=products)
    return plan


@transaction.atomic
def wealth_plan_update(
    *,
    plan: WealthPlan,
    goals: str,
    horizon_months: int,
    risk_level: str,
    allocations: Sequence[tuple[str, Decimal]],
    products: Sequence[Product] = (),
    advice: str = "",
    next_review_on: date | None = None,
) -> WealthPlan:
    plan = WealthPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if not plan.is_editable:
        raise ValidationError(_("An accepted or declined plan can no longer be changed."))
    products = list(products)
    errors = _plan_problems(
        client=plan.client, risk_level=risk_level, allocations=allocations, products=products
    )
    if errors:
        raise ValidationError(errors)
    plan.goals, plan.horizon_months, plan.risk_level = goals, horizon_months, risk_level
    plan.advice, plan.next_review_on = advice, next_review_on
    plan.save()
    _plan_write(plan=plan, allocations=allocations, products=products)
    return plan


@transaction.atomic
def wealth_plan_set_status(*, plan: WealthPlan, status: str, by: User) -> WealthPlan:
    """Move a plan along draft → presented → accepted/declined; other moves are refused. A plan is
    re-checked for suitability before it is presented (the client's risk level may have changed)."""
    plan = WealthPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if status not in PlanStatus.values or not plan.can_become(status):
        raise ValidationError(
            _("A plan that is %(from)s cannot become %(to)s.")
            % {
                "from": plan.get_status_display(),
                "to": dict(PlanStatus.choices).get(status, status),
            }
        )
    if status == PlanStatus.PRESENTED:
        errors = _plan_problems(
            client=plan.client,
            risk_level=plan.risk_level,
            allocations=list(plan.allocations.values_list("asset_class", "percent")),
            products=list(plan.products.all()),
        )
        if errors:
            raise ValidationError(errors)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    return plan


# --- Events ----------------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    title: str,
    held_on: date,
    place: str,
    cost: Decimal,
    description: str = "",
) -> Event:
    if cost < 0:
        raise ValidationError({"cost": _("The cost cannot be negative.")})
    return Event.objects.create(
        title=title, held_on=held_on, place=place, cost=cost, description=description
    )


def event_invite(
    *,
    event: Event,
    clients,
    branch_id: int | None = None,
    status: str | None = None,
    interests: str = "",
) -> int:
    """Invite, in one insert, every VIP of ``clients`` (a queryset already scoped to the user)
    matching the filter. Already invited clients are skipped; returns how many were new."""
    chosen = clients.filter(status__in=VIP_STATUSES)
    if branch_id:
        chosen = chosen.filter(branch_id=branch_id)
    if status in (VipStatus.VIP, VipStatus.VIP_AT_RISK):
        chosen = chosen.filter(status=status)
    if interests.strip():
        chosen = chosen.filter(interests__icontains=interests.strip())
    chosen = chosen.filter(~Exists(Invitation.objects.filter(event=event, client=OuterRef("pk"))))
    now = timezone.now()
    rows = [
        Invitation(event=event, client_id=pk, invited_at=now)
        for pk in chosen.values_list("pk", flat=True)
    ]
    if not rows:
        return 0
    before = Invitation.objects.filter(event=event).count()
    with transaction.atomic():
        Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Invitation.objects.filter(event=event).count() - before


@transaction.atomic
def invitation_update(*, invitation: Invitation, rsvp: str, attended: bool) -> Invitation:
    if rsvp not in Rsvp.values:
        raise ValidationError({"rsvp": _("Choose an answer from the list.")})
    if attended and rsvp == Rsvp.DECLINED:
        raise ValidationError({"attended": _("A client who declined cannot have attended.")})
    if attended and invitation.event.held_on > timezone.localdate():
        raise ValidationError({"attended": _("The event has not taken place yet.")})
    invitation.rsvp, invitation.attended = rsvp, attended
    invitation.save(update_fields=["rsvp", "attended"])
    return invitation
