"""Issue 11: with Redis (cache, sessions' cache and broker) unreachable every page keeps working,
signed-in users stay signed in (sessions fall back to the database), saving a ticket succeeds and
its mail waits in the outbox; when Redis is back the cache serves again. A private redis-server on
a free port is stopped and started mid-test; the shared one is never touched."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from core.models import JobRun, OutboxMail
from core.services import notification_create
from core.tasks import jobs_housekeeping
from feedback.models import Ticket
from tests.jobs.processes import private_redis
from vipservice.celery import app as celery_app
from vipservice.schedule import JOBS

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/clients/", "/feedback/", "/jobs/", "/service/callbacks/", "/analytics/"]


@pytest.fixture
def redis(tmp_path, settings):
    with private_redis(tmp_path / "redis") as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        yield server


@pytest.fixture
def broker_on(redis):
    """The Celery app publishes to the private Redis, as in production (not eagerly)."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = redis.url
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _log_ticket(http, client, subject):
    return http.post(
        "/feedback/new/",
        {
            "client_no": client.client_no,
            "channel": "phone",
            "category": "complaint",
            "subject": subject,
            "description": "Called twice, nobody answered.",
        },
    )


def test_pages_sessions_and_saves_survive_redis_going_away_and_coming_back(
    redis, broker_on, supervisor, client_of_rm, rm_user, login
):
    client = login(supervisor)  # the session is in the database
    assert all(client.get(page).status_code == 200 for page in PAGES)
    cache.set("probe", 1)
    assert cache.get("probe") == 1

    redis.stop()
    statuses = {page: client.get(page).status_code for page in PAGES}
    saved = _log_ticket(client, client_of_rm, "Saved while Redis was down")
    assert statuses == dict.fromkeys(PAGES, 200)
    assert saved.status_code == 302
    ticket = Ticket.objects.get(subject="Saved while Redis was down")
    assert cache.get("probe") is None and cache.set("probe", 2) is None

    redis.start()
    assert client.get(f"/feedback/tickets/{ticket.reference}/").status_code == 200
    cache.set("probe", 3)
    assert cache.get("probe") == 3


def test_a_sign_out_while_redis_is_down_stays_signed_out_when_it_returns(redis, supervisor, login):
    http = login(supervisor)
    assert http.get("/").status_code == 200
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    # Unreachable with its data kept: a copy of the session there (cached_db) would outlive the
    # sign-out and sign the old cookie in again when Redis answers.
    redis.pause()
    assert http.post(reverse("logout")).status_code == 302  # to the sign-in page
    redis.resume()
    # The old cookie replayed (kept by an attacker, a shared machine's browser): signed out.
    replay = HttpClient()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Redis holds no session state at all: nothing there to come back.
    assert not any(b"session" in key for key in cache._cache.get_client().keys("*"))


def test_mail_saved_while_the_broker_is_down_waits_in_the_outbox(
    redis, broker_on, supervisor, client_of_rm, rm_user, login
):
    rm_user.email = "rm@bank.example"
    rm_user.save()
    redis.stop()
    http = login(supervisor)
    assert _log_ticket(http, client_of_rm, "Mail waits").status_code == 302
    # The RM's in-app notification is saved; an e-mail would wait in the outbox, not be lost.
    assert Ticket.objects.filter(subject="Mail waits").exists()
    assert not OutboxMail.objects.filter(state=OutboxMail.State.SENT).exists()


def test_broker_down_across_a_scheduled_run_then_the_period_runs_once_and_the_outbox_drains(
    redis, broker_on, supervisor, client_of_rm, rm_user, login, mailoutbox
):
    rm_user.email = "rm@bank.example"
    rm_user.save()
    http = login(supervisor)
    sweep = JOBS["feedback-sla-sweep"]
    slot = sweep.period_start(timezone.now() + dt.timedelta(minutes=5))
    # The next 5-minute period passes with Redis (broker and cache) down: beat cannot send the sweep, yet the web
    # serves and a ticket is saved, its e-mail queued.
    redis.stop()
    assert [http.get(page).status_code for page in PAGES] == [200] * len(PAGES)
    assert _log_ticket(http, client_of_rm, "During the outage").status_code == 302
    with transaction.atomic():  # a service that mails: the mail is queued, the kick fails quietly
        notification_create(recipients=[rm_user], title="Client called", email=True)
    with pytest.raises(Exception):  # noqa: B017 - what beat meets: no broker
        celery_app.send_task("feedback.tasks.sla_sweep", retry=False)
    assert not JobRun.objects.exists()
    assert OutboxMail.objects.filter(state=OutboxMail.State.PENDING).count() == 1

    # Redis is back two minutes into that period; beat's every-minute housekeeping runs (in this process, as a worker
    # would): the missed 10:05 period runs once, the outbox drains, a second pass does nothing.
    redis.start()
    celery_app.conf.task_always_eager = True
    with time_machine.travel(slot + dt.timedelta(minutes=2)):
        first = jobs_housekeeping()
        second = jobs_housekeeping()
    assert f"feedback-sla-sweep {sweep.key(slot)}" in first["caught_up"]
    assert not any(s.startswith("feedback-sla-sweep") for s in second["caught_up"])
    assert JobRun.objects.get(job="feedback-sla-sweep").period == sweep.key(slot)
    assert first["mail"]["sent"] == 1 and second["mail"]["sent"] == 0
    assert [m.to for m in mailoutbox] == [["rm@bank.example"]]
