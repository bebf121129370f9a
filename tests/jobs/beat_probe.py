"""The product's Celery app with one extra beat entry that fires every half second, so a broker
test sees beat writing to the broker while a producer and the worker do."""

from vipservice.celery import app

app.conf.beat_schedule = {
    **app.conf.beat_schedule,
    "probe-tick": {"task": "probe.tick", "schedule": 0.5},
}
