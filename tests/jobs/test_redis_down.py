"""Issue 11: with Redis (cache, sessions' cache and broker) unreachable every page keeps working,
signed-in users stay signed in (sessions fall back to the database), saving a ticket succeeds and
its mail waits in the outbox; when Redis is back the cache serves again. A private redis-server on
a free port is stopped and started mid-test; the shared one is never touched."""

import pytest
from django.core.cache import cache

from core.models import OutboxMail
from feedback.models import Ticket
from tests.jobs.processes import private_redis
from vipservice.celery import app as celery_app

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
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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
    client = login(supervisor)  # the session is written to the database and Redis
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
