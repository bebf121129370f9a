"""Demo feedback: tickets on every channel and in every status, some close to their deadline and
some breached, resolved ones with answered surveys (mostly 4–5) and one unanswered, a year of
history for the analytics, an API key for the app, and two emails waiting in the demo Maildir.

Idempotent: demo tickets have fixed references (FB-<year>-9xxxxx) and are only created when
missing; the API key and the emails likewise."""

import mailbox
import secrets
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from core.models import User
from core.registry import register_demo_seeder
from feedback.models import (
    ApiKey,
    Channel,
    SlaPolicy,
    Survey,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from feedback.services.api_keys import api_key_issue

S = TicketStatus
# (channel, category, status, hours ago received, response after hours, handled, survey score,
#  subject)   survey score: None = no survey, 0 = sent and not answered
CURRENT = [
    ("phone", "complaint", S.NEW, 2, None, False, None, "电话银行等待时间过长"),
    ("app", "inquiry", S.NEW, 40, None, False, None, "手机银行转账限额如何调整"),
    ("branch", "complaint", S.IN_PROGRESS, 47, None, True, None, "网点贵宾室预约被取消"),
    ("email", "service_request", S.IN_PROGRESS, 52, None, True, None, "申请补寄上季度对账单"),
    ("web", "complaint", S.NEW, 60, None, False, None, "理财产品到期未按时兑付"),
    ("phone", "suggestion", S.IN_PROGRESS, 30, None, True, None, "希望增加周末理财顾问服务"),
    ("phone", "inquiry", S.RESPONDED, 20, 3, True, None, "外币兑换手续费咨询"),
    ("email", "complaint", S.RESPONDED, 70, 50, True, None, "信用卡年费未按约定减免"),
    ("app", "praise", S.RESOLVED, 5 * 24, 2, True, 5, "客户经理服务非常专业"),
    ("branch", "service_request", S.RESOLVED, 8 * 24, 6, True, 4, "更换贵宾卡"),
    ("phone", "complaint", S.RESOLVED, 12 * 24, 20, True, 5, "境外刷卡被误拦截"),
    ("web", "complaint", S.RESOLVED, 20 * 24, 40, True, 2, "网银登录频繁失败"),
    ("email", "inquiry", S.RESOLVED, 3 * 24, 10, True, 0, "私人银行专属活动报名"),
    ("phone", "suggestion", S.CLOSED, 30 * 24, 12, True, 4, "建议开通视频面签"),
    ("app", "service_request", S.CLOSED, 45 * 24, 30, True, 5, "修改预留手机号"),
]
HISTORY_SIZE = 120
HISTORY_SUBJECTS = {
    "complaint": ["排队时间过长", "转账到账延迟", "电话多次未接通", "收费说明不清楚"],
    "inquiry": ["大额存单利率", "基金赎回到账时间", "贵宾权益咨询", "外汇额度"],
    "suggestion": ["希望增加英文服务", "延长网点营业时间", "优化手机银行界面"],
    "praise": ["感谢客户经理耐心解答", "网点服务热情周到"],
    "service_request": ["预约上门服务", "补打流水", "调整理财风险等级"],
}


DEMO_REFERENCE = r"^FB-[0-9]{4}-9[0-9]{5}$"


def _reference(today, n: int) -> str:
    return f"FB-{today.year}-9{n:05d}"


def _demo_users() -> tuple[User | None, User | None]:
    users = {u.username: u for u in User.objects.filter(username__in=["feedback", "branch"])}
    return users.get("feedback"), users.get("branch")


def _ticket(ref, *, client, channel, category, status, received, responded, handler, logger, subj):
    warn_at, due = SlaPolicy.in_force(received).deadlines(received)
    now = timezone.now()
    ticket = Ticket(
        reference=ref,
        client=client,
        channel=channel,
        category=category,
        subject=subj,
        description=f"{subj}。请尽快处理并回复客户。",
        status=status,
        handler=handler,
        received_at=received,
        first_response_due_at=due,
        warn_due_at=warn_at,
        first_response_at=responded,
        created_by=logger if channel in (Channel.PHONE, Channel.BRANCH, Channel.WEB) else None,
        sender_email=(client.email if client else "unknown.sender@example.com")
        if channel == Channel.EMAIL
        else "",
    )
    # The SLA stamps the sweep would have set, so the demo looks like a system that has run.
    unanswered_by = responded or now
    if unanswered_by >= warn_at and (responded is None or responded > warn_at):
        ticket.warned_at = warn_at
    if unanswered_by >= due and (responded is None or responded > due):
        ticket.breached_at = ticket.escalated_at = due
    # Never after now: what the demo says happened has happened (issue 14).
    if status in (S.RESOLVED, S.CLOSED):
        ticket.resolved_at = min((responded or received) + timedelta(hours=2), now)
    if status == S.CLOSED:
        ticket.closed_at = min(ticket.resolved_at + timedelta(days=1), now)
    return ticket


def _history(rng, today, now, clients, staff, existing, tickets, scores) -> None:
    """A year of answered tickets (and survey scores) for the analytics, appended to ``tickets``
    and ``scores``; the random draws happen for every ticket, seeded or not, so a re-run sees the
    same sequence."""
    handler, logger = staff
    for i in range(HISTORY_SIZE):
        ref = _reference(today, len(CURRENT) + i)
        category = rng.choice(list(HISTORY_SUBJECTS))
        received = now - timedelta(days=rng.randint(50, 360), hours=rng.randint(0, 23))
        # Most answered within the day, a few late: an SLA met rate around 90%.
        response_hours = rng.choice([1, 2, 4, 6, 12, 20, 30, 40, 44, 52])
        if ref in existing:
            continue
        tickets.append(
            _ticket(
                ref,
                client=rng.choice(clients) if clients else None,
                channel=rng.choice(Channel.values),
                category=category,
                status=rng.choice([S.RESOLVED, S.RESOLVED, S.CLOSED]),
                received=received,
                responded=received + timedelta(hours=response_hours),
                handler=handler,
                logger=logger,
                subj=rng.choice(HISTORY_SUBJECTS[category]),
            )
        )
        if rng.random() < 0.7:
            scores[ref] = rng.choices([5, 4, 3, 2, 1], weights=[55, 33, 7, 3, 2])[0]


def seed(*, rng, today, stdout=None) -> None:
    now = timezone.now()
    clients = list(Client.objects.order_by("-status", "client_no")[:60])
    handler, logger = _demo_users()
    references = [_reference(today, n) for n in range(len(CURRENT) + HISTORY_SIZE)]
    existing = set(
        Ticket.objects.filter(reference__in=references).values_list("reference", flat=True)
    )
    if not existing and Ticket.objects.filter(reference__regex=DEMO_REFERENCE).exists():
        # Seeded in an earlier year: a restart must not add a second year of history (and
        # surveys) that moves the satisfaction KPI. Every reference counts as present.
        existing = set(references)
    tickets, scores = [], {}
    for n, (channel, category, status, ago, resp, handled, score, subj) in enumerate(CURRENT):
        ref = _reference(today, n)
        if ref in existing:
            continue
        received = now - timedelta(hours=ago)
        client = clients[n % len(clients)] if clients and n != 3 else None
        responded = received + timedelta(hours=resp) if resp is not None else None
        tickets.append(
            _ticket(
                ref,
                client=client,
                channel=channel,
                category=category,
                status=status,
                received=received,
                responded=responded,
                handler=handler if handled else None,
                logger=logger,
                subj=subj,
            )
        )
        if score is not None:
            scores[ref] = score
    _history(rng, today, now, clients, (handler, logger), existing, tickets, scores)
    with transaction.atomic():
        Ticket.objects.bulk_create(tickets)
        created = {
            t.reference: t
            for t in Ticket.objects.filter(reference__in=[t.reference for t in tickets])
        }
        messages, surveys = _thread_and_surveys(rng, created, scores, handler)
        TicketMessage.objects.bulk_create(messages)
        Survey.objects.bulk_create(surveys)
    _seed_api_key(stdout)
    _seed_mailbox(clients)
    if stdout is not None:
        stdout.write(f"feedback: {len(tickets)} tickets, {len(surveys)} surveys created\n")


def _thread_and_surveys(rng, created, scores, handler) -> tuple[list, list]:
    """A first response or a handler's note for each demo ticket, and the answered surveys."""
    messages, surveys = [], []
    for ref, ticket in created.items():
        if ticket.first_response_at:
            messages.append(
                TicketMessage(
                    ticket=ticket,
                    author=handler,
                    kind=TicketMessage.Kind.RESPONSE_TO_CLIENT,
                    body="您好，您的反馈已收到，我们已联系相关部门处理，稍后给您回复。",
                    created_at=ticket.first_response_at,
                )
            )
        elif ticket.handler_id:
            messages.append(
                TicketMessage(
                    ticket=ticket,
                    author=handler,
                    kind=TicketMessage.Kind.INTERNAL_NOTE,
                    body="已联系网点核实情况，等待回复。",
                    created_at=ticket.received_at + timedelta(hours=1),
                )
            )
        if ref in scores and ticket.resolved_at:
            answered = scores[ref] > 0
            surveys.append(
                Survey(
                    ticket=ticket,
                    token=secrets.token_urlsafe(32),
                    sent_at=ticket.resolved_at,
                    expires_at=ticket.resolved_at + timedelta(days=Survey.VALID_DAYS),
                    score=scores[ref] if answered else None,
                    comment="服务很好，谢谢！" if answered and scores[ref] >= 4 else "",
                    responded_at=min(
                        ticket.resolved_at + timedelta(hours=rng.randint(1, 72)), timezone.now()
                    )
                    if answered
                    else None,
                )
            )
    return messages, surveys


def _seed_api_key(stdout) -> None:
    if ApiKey.objects.filter(name="手机银行 App (demo)").exists():
        return

    key, _raw = api_key_issue(name="手机银行 App (demo)", channel=Channel.APP)
    if stdout is not None:
        # Never print the key: an administrator issues a fresh one in admin to use the API.
        stdout.write(
            f"feedback: API key {key.prefix}… for the app channel (issue your own in admin)\n"
        )


def _seed_mailbox(clients) -> None:
    path = Path(settings.FEEDBACK_MAILDIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    maildir = mailbox.Maildir(str(path), create=True)
    present = {str(m.get("Message-ID", "")) for m in maildir}
    known = next((c for c in clients if c.email), None)
    mails = [
        (
            "<demo-1@mail.example>",
            f"{known.name} <{known.email}>" if known else "client@mail.example",
            "关于贵宾专线的建议",
            "您好，希望贵宾专线能在晚上十点后也有客户经理接听。谢谢！",
        ),
        (
            "<demo-2@mail.example>",
            "new.person@example.org",
            "Question about VIP membership",
            "Hello, how can I become a VIP client of the bank?",
        ),
    ]
    for message_id, sender, subject, body in mails:
        if message_id in present or Ticket.objects.filter(source_message_id=message_id).exists():
            continue
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "feedback@bank.example"
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message.set_content(body)
        maildir.add(message.as_bytes())


def register() -> None:
    register_demo_seeder(key="feedback", order=40, seed=seed)
