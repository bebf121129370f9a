import os
import sqlite3
from contextlib import closing
from pathlib import Path

from celery import Celery
from celery.signals import worker_ready
from django.conf import settings

from vipservice.schedule import HOUSEKEEPING_TASK

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipservice.settings")

app = Celery("vipservice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_local_folders(sender, **kwargs):
    """The SQLite broker and beat's schedule file need their folder before first use. The broker
    file is switched to WAL once (the mode is kept in the file): readers never wait for the
    writer, and a commit appends to the log instead of rewriting pages, so enqueuing stays fast
    while the worker polls."""
    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
    if not settings.REDIS_URL:
        broker = Path(settings.CELERY_BROKER_SQLITE)
        broker.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(broker, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")


@worker_ready.connect
def _catch_up_on_start(sender, **kwargs):
    """A worker that comes back runs the periods missed while it was down at once, not at the
    next minute's housekeeping."""
    sender.app.send_task(HOUSEKEEPING_TASK, expires=50)
