"""An upload whose worker died mid-import (SIGKILL, out of memory) used to read "Importing" for
ever. Once its worker is gone (nobody holds its lock) and it has shown no progress for
``core.background.STOPPED_AFTER``, its page says it stopped, that nothing was written, and offers
to import the file again; a worker taken for dead that finishes late writes nothing over the new
run (``attempts`` is the claim's token), and "Import again" never touches a finished or live run."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clients.corebanking import uploads
from clients.corebanking.uploads import corebanking_upload_retry, corebanking_upload_run
from clients.models import Client, CorebankingUpload, UploadStatus, upload_lock
from core.background import STOPPED_AFTER
from core.runlock import run_lock
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
GOOD = HEADER + "U1,王芳,personal,,,,UP1,2020-01-01,true\n"
# 10:00 Asia/Shanghai: the worker claimed the upload and reported progress, then died.
CLAIMED = datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC)
STOPPED = CLAIMED + STOPPED_AFTER + datetime.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    BranchFactory(code="UP1")


@pytest.fixture
def upload(supervisor):
    """An upload a worker claimed at ``CLAIMED`` (its last sign of life) and died in."""
    file = SimpleUploadedFile("clients.csv", GOOD.encode(), content_type="text/csv")
    with time_machine.travel(CLAIMED, tick=False):
        record = uploads.corebanking_upload_create(
            kind="clients", file=file, encoding="", actor=supervisor
        )
        CorebankingUpload.objects.filter(pk=record.pk).update(
            status=UploadStatus.RUNNING,
            started_at=CLAIMED,
            heartbeat_at=CLAIMED,
            rows_read=1,
            attempts=1,
        )
    record.refresh_from_db()
    return record


def test_a_silent_run_whose_worker_is_gone_reads_stopped_with_the_way_forward(
    upload, login, supervisor
):
    http = login(supervisor)
    status_url = reverse("clients:import_status", args=[upload.pk])
    with time_machine.travel(CLAIMED + STOPPED_AFTER - datetime.timedelta(seconds=1), tick=False):
        assert http.get(status_url).json()["stopped"] is False  # merely between two beats
    with time_machine.travel(STOPPED, tick=False):
        assert http.get(status_url).json()["stopped"] is True
        body = http.get(upload.get_absolute_url()).content.decode()
        assert 'data-testid="import-stopped"' in body and "The import stopped." in body
        assert "last reported progress at 2026-11-20 10:00" in body
        assert "nothing was written" in body
        assert reverse("clients:import_again", args=[upload.pk]) in body
        assert "import_progress" not in body  # nothing left to poll
        assert 'data-testid="upload-stopped"' in http.get(reverse("clients:import")).text
        zh = login(supervisor, "zh-hans").get(upload.get_absolute_url()).content.decode()
        assert "导入已中断" in zh and "重新导入" in zh


def test_a_live_worker_in_a_long_silent_step_is_not_called_stopped(upload, login, supervisor):
    """The import's last checks and upsert write no progress: its lock says it lives."""
    status_url = reverse("clients:import_status", args=[upload.pk])
    with (
        time_machine.travel(STOPPED + datetime.timedelta(hours=1), tick=False),
        run_lock(upload_lock(upload.pk)) as held,
    ):
        assert held
        assert login(supervisor).get(status_url).json()["stopped"] is False
        assert corebanking_upload_retry(upload_id=upload.pk, actor=supervisor) is None


def test_import_again_queues_the_kept_file_once_and_the_worker_imports_it(
    upload, login, supervisor
):
    http = login(supervisor)
    again = reverse("clients:import_again", args=[upload.pk])
    with time_machine.travel(STOPPED, tick=False):
        with TestCase.captureOnCommitCallbacks(execute=False) as queued:
            assert http.post(again).status_code == 302
            http.post(again)  # a double click: already queued, not stopped
        assert len(queued) == 1
        upload.refresh_from_db()
        assert (upload.status, upload.requested_at, upload.rows_read) == (
            UploadStatus.QUEUED,
            STOPPED,
            0,
        )
        queued[0]()  # the task, on a worker
    upload.refresh_from_db()
    assert (upload.status, upload.attempts) == (UploadStatus.IMPORTED, 2)
    assert Client.objects.filter(client_no="U1").exists() and not upload.file


def test_import_again_leaves_a_run_that_finished_meanwhile_alone(upload, supervisor):
    CorebankingUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.IMPORTED, rows=1)
    with time_machine.travel(STOPPED, tick=False):
        assert corebanking_upload_retry(upload_id=upload.pk, actor=supervisor) is None
    upload.refresh_from_db()
    assert (upload.status, upload.rows) == (UploadStatus.IMPORTED, 1)


def test_a_worker_taken_for_dead_that_finishes_late_writes_nothing_over_the_new_run(
    upload, supervisor, monkeypatch
):
    """The first worker was only silent and its lock not seen (a worker of the release before
    takes none); while it finishes, a supervisor ran the file again."""

    def slow_import(**kwargs):
        with time_machine.travel(STOPPED, tick=False):
            assert corebanking_upload_retry(upload_id=upload.pk, actor=supervisor) is not None
        raise RuntimeError("the first worker fails late")

    CorebankingUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED)
    monkeypatch.setattr(uploads, "corebanking_import", slow_import)
    monkeypatch.setattr(uploads, "run_lock_held", lambda name: False)
    with time_machine.travel(CLAIMED, tick=False), pytest.raises(RuntimeError):
        corebanking_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    # Still queued for the new run, with its file: not "failed" by the late worker.
    assert (upload.status, upload.error) == (UploadStatus.QUEUED, "")
    assert upload.file and upload.file.storage.exists(upload.file.name)


def test_another_role_cannot_import_an_upload_again(upload, login, rm_user):
    with time_machine.travel(STOPPED, tick=False):
        response = login(rm_user).post(reverse("clients:import_again", args=[upload.pk]))
    assert response.status_code == 404
    upload.refresh_from_db()
    assert upload.status == UploadStatus.RUNNING


def test_import_again_at_exactly_the_stopped_boundary_queues_what_the_page_offers(
    upload, login, supervisor
):
    """At exactly ``STOPPED_AFTER`` of silence the page reads stopped and offers Import again; the
    button must then queue the file, not answer that the import is not stopped."""
    http = login(supervisor)
    with time_machine.travel(CLAIMED + STOPPED_AFTER, tick=False):
        assert http.get(reverse("clients:import_status", args=[upload.pk])).json()["stopped"]
        with TestCase.captureOnCommitCallbacks(execute=False) as queued:
            http.post(reverse("clients:import_again", args=[upload.pk]))
    assert len(queued) == 1
    upload.refresh_from_db()
    assert upload.status == UploadStatus.QUEUED


def test_import_again_queues_a_stopped_run_that_never_recorded_a_start(upload, supervisor):
    """A running record without a start or a heartbeat reads stopped (no sign of life at all):
    Import again takes it like any other stopped run."""
    CorebankingUpload.objects.filter(pk=upload.pk).update(started_at=None, heartbeat_at=None)
    upload.refresh_from_db()
    assert upload.stopped
    assert corebanking_upload_retry(upload_id=upload.pk, actor=supervisor) is not None


def test_the_stopped_import_names_the_jobs_panel_as_the_menu_does_in_chinese(
    upload, login, supervisor
):
    """The jobs page is 作业 in the menu and its heading: the notice and its link say 作业面板."""
    with time_machine.travel(STOPPED, tick=False):
        page = login(supervisor, "zh-hans").get(upload.get_absolute_url()).text
    assert "作业面板可查看后台任务是否在运行" in page and "打开作业面板" in page
    assert "任务面板" not in page


def test_the_stopped_import_counts_its_rows_in_english_grammar(upload, login, supervisor):
    """One row read before the worker died reads "after 1 row", not "after 1 rows"."""
    with time_machine.travel(STOPPED, tick=False):
        page = login(supervisor).get(upload.get_absolute_url()).text
        assert "after 1 row)" in page
        CorebankingUpload.objects.filter(pk=upload.pk).update(rows_read=2)
        assert "after 2 rows)" in login(supervisor).get(upload.get_absolute_url()).text
        zh = login(supervisor, "zh-hans").get(upload.get_absolute_url()).text
    assert "已读 2 行" in zh
