"""The core-banking upload page hands the import to a worker (issue 11): the request records the
upload and enqueues the task after commit; the upload's page shows the progress (a static script
polls the status, no inline script under the CSP) and, once done, the counts or the bad rows."""

import datetime
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, CorebankingUpload, UploadStatus
from clients.tasks import corebanking_upload_import
from core.background import STOPPED_AFTER
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
GOOD = HEADER + "U1,王芳,personal,,,,UP1,2020-01-01,true\nU2,李四,personal,,,,UP1,2020-01-01,true\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    BranchFactory(code="UP1")


def _queue(http, text: str):
    """POST the file; the task is captured, not run. Returns (response, the upload)."""
    file = SimpleUploadedFile("clients.csv", text.encode(), content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = http.post(
            reverse("clients:import"), {"kind": "clients", "file": file, "encoding": ""}
        )
    assert len(queued) == 1
    return response, CorebankingUpload.objects.get()


def test_the_request_records_the_upload_and_the_worker_imports_it(login, supervisor):
    response, upload = _queue(login(supervisor), GOOD)
    assert response.status_code == 302 and response.url == upload.get_absolute_url()
    # Nothing imported in the request: the task waits for the commit and a worker.
    assert upload.status == UploadStatus.QUEUED and upload.lines == 4
    assert not Client.objects.exists()
    stored = upload.file.path

    corebanking_upload_import(upload.pk)

    upload.refresh_from_db()
    assert upload.status == UploadStatus.IMPORTED
    assert (upload.rows, upload.created, upload.percent) == (2, 2, 100)
    assert set(Client.objects.values_list("client_no", flat=True)) == {"U1", "U2"}
    # The file held client data: gone once imported.
    assert not upload.file and not os.path.exists(stored)


def test_the_progress_page_polls_with_a_static_script_and_shows_the_result(login, supervisor):
    http = login(supervisor)
    _response, upload = _queue(http, GOOD)
    page = http.get(upload.get_absolute_url())
    body = page.content.decode()
    assert 'data-testid="import-progress"' in body
    assert "clients/import_progress" in body and "<script>" not in body
    status = http.get(reverse("clients:import_status", args=[upload.pk])).json()
    assert status == {
        "status": "queued",
        "status_label": "Waiting for a worker",
        "rows_read": 0,
        "percent": 0,
        "done": False,
        "not_started": False,
        "stopped": False,
    }

    corebanking_upload_import(upload.pk)

    assert http.get(reverse("clients:import_status", args=[upload.pk])).json()["done"] is True
    body = http.get(upload.get_absolute_url()).content.decode()
    assert "2 created" in body and "import_progress" not in body


def test_a_rejected_file_lists_its_bad_rows_in_the_users_language(login, supervisor):
    http = login(supervisor, language="zh-hans")
    _response, upload = _queue(http, HEADER + "U1,王芳,retail,,,,UP1,2020-01-01,true\n")
    corebanking_upload_import(upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED and upload.errors_total == 1
    body = http.get(upload.get_absolute_url()).content.decode()
    assert 'data-testid="import-report"' in body and "未写入任何数据" in body
    assert not Client.objects.exists()


def test_a_second_delivery_does_nothing_and_a_dead_runs_upload_is_taken_over(login, supervisor):
    _response, upload = _queue(login(supervisor), GOOD)
    # A worker claimed it and died: its heartbeat stopped.
    CorebankingUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.RUNNING, heartbeat_at=timezone.now()
    )
    corebanking_upload_import(upload.pk)  # the heartbeat is fresh: a live run holds it
    assert not Client.objects.exists()
    CorebankingUpload.objects.filter(pk=upload.pk).update(
        heartbeat_at=timezone.now() - STOPPED_AFTER - STOPPED_AFTER
    )
    corebanking_upload_import(upload.pk)  # the redelivery takes the dead run over
    upload.refresh_from_db()
    assert (upload.status, upload.attempts, Client.objects.count()) == (UploadStatus.IMPORTED, 1, 2)
    corebanking_upload_import(upload.pk)  # a duplicate delivery after the end
    assert Client.objects.count() == 2


def test_a_deleted_upload_is_a_quiet_no_op(login, supervisor):
    _response, upload = _queue(login(supervisor), GOOD)
    upload.delete()
    assert corebanking_upload_import(upload.pk) is None


def test_another_role_cannot_see_an_upload(login, supervisor, rm_user):
    _response, upload = _queue(login(supervisor), GOOD)
    assert login(rm_user).get(upload.get_absolute_url()).status_code == 404
    status_url = reverse("clients:import_status", args=[upload.pk])
    assert login(rm_user).get(status_url).status_code == 404


NOT_STARTED = 'data-testid="worker-not-started"'


def test_an_upload_no_worker_starts_says_so_after_a_minute(login, supervisor):
    """runserver alone, or the worker down: the page does not wait at 0 % for ever."""
    http = login(supervisor)
    _response, upload = _queue(http, GOOD)
    status_url = reverse("clients:import_status", args=[upload.pk])
    body = http.get(upload.get_absolute_url()).content.decode()
    assert f"{NOT_STARTED} hidden" in body  # there for the script, not shown yet
    assert http.get(status_url).json()["not_started"] is False

    CorebankingUpload.objects.filter(pk=upload.pk).update(
        requested_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert http.get(status_url).json()["not_started"] is True
    body = http.get(upload.get_absolute_url()).content.decode()
    assert NOT_STARTED in body and f"{NOT_STARTED} hidden" not in body
    assert "The import has not started." in body
    assert "the background worker (Celery) may not be running" in body
    zh = login(supervisor, "zh-hans").get(upload.get_absolute_url()).content.decode()
    assert "导入尚未开始" in zh and "后台任务进程" in zh
    assert 'data-testid="upload-not-started"' in http.get(reverse("clients:import")).text

    # Once a worker takes it, the notice goes.
    CorebankingUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.RUNNING)
    assert http.get(status_url).json()["not_started"] is False


def test_the_progress_script_shows_the_not_started_notice():
    script = (
        settings.BASE_DIR / "clients" / "static" / "clients" / "import_progress.js"
    ).read_text()
    assert "state.not_started" in script and "worker-not-started" in script
