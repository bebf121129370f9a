"""No full ID number or phone in any log line or audit row written by a whole journey (issue 13):
searching and exporting by phone, the dossier and its reveal, an administrator editing a client,
hotline look-ups and a logged call, the app's API, a core-banking import from the command line."""

import io
import json
import logging
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from feedback.models import Channel
from feedback.services.api_keys import api_key_issue
from tests.factories.clients import VipClientFactory
from tests.factories.core import BranchFactory
from tests.factories.managers import ShiftFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
HEADER = "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"


def pii_in(text: str) -> list[str]:
    return ID_NUMBER.findall(text) + MOBILE.findall(text)


def journey(login, supervisor, admin_user, rm_user, client_of_rm, tmp_path) -> None:
    phone, id_number = "13800138000", client_of_rm.id_number
    boss = login(supervisor)
    boss.post(reverse("clients:search"), {"q": phone}, follow=True)
    results = boss.post(reverse("clients:search"), {"q": phone[-4:]})["Location"]
    boss.get(results.replace(reverse("clients:list"), reverse("clients:export")))
    boss.get(reverse("clients:detail", args=[client_of_rm.pk]))
    boss.post(reverse("clients:reveal", args=[client_of_rm.pk]))
    boss.get(f"/nothing-here/{phone}/{id_number}/")  # a 404 with PII in the path
    http = login(rm_user)
    caller = http.post(reverse("servicedesk:hotline"), {"phone": f"+86 {phone}"})["Location"]
    http.get(caller)
    http.post(caller, {"topic": "complaint", "notes": "n"})
    admin = login(admin_user)
    change = reverse("admin:clients_client_change", args=[client_of_rm.pk])
    admin.get(change)
    client_of_rm.phone, client_of_rm.id_number = "13911112222", "110101199003071234"
    client_of_rm.save()
    _key, raw = api_key_issue(name="App", channel=Channel.APP)
    body = {"client_no": client_of_rm.client_no, "category": "inquiry", "subject": "s"}
    http.post(
        reverse("feedback:api_tickets"),
        json.dumps({**body, "description": "d"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    BranchFactory(code="SH009")
    path = tmp_path / "clients.csv"
    path.write_text(
        HEADER
        + "C9001,王芳,personal,310101198001010011,13700001111,a@b.example,SH009,2020-01-01,true\n"
        + "C9002,李明,personal,31010119800101002X,13700002222,,SH009,2020-01-01,maybe\n"
    )
    with pytest.raises(Exception):  # noqa: B017 - the bad row rejects the file, nothing written
        call_command(
            "import_corebanking", "clients", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_a_whole_journey_leaves_no_full_id_or_phone_in_logs_or_audit(
    login, supervisor, admin_user, rm_user, rm, client_of_rm, caplog, tmp_path
):
    ShiftFactory(rm=rm)
    with caplog.at_level(logging.DEBUG):
        journey(login, supervisor, admin_user, rm_user, client_of_rm, tmp_path)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) >= 2  # the journey did log
    leaked_logs = [line for line in lines if pii_in(line)]
    assert not leaked_logs, leaked_logs[:5]
    rows = LogEntry.objects.all()
    assert rows.count() > 5
    leaked_rows = []
    for row in rows:
        text = " ".join(
            str(v) for v in (row.object_repr, row.changes, row.changes_text, row.additional_data)
        )
        if pii_in(text):
            leaked_rows.append(text[:200])
    assert not leaked_rows, leaked_rows[:5]


ROW = '<tr><td><a href="/clients/'


def visited_urls(response) -> list[str]:
    """The request's URL and every redirect it followed: what an access log's lines would show."""
    first = response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")
    return [first] + [url for url, _status in response.redirect_chain]


def test_a_phone_search_never_puts_the_number_in_a_url(login, supervisor, client_of_rm):
    """Searches are POSTed (the header box and the list's own form): the text stays in the session
    and the results' URL, their page links and the export link carry only its key (issue 13)."""
    http = login(supervisor)
    home = http.get("/").content.decode()
    assert 'method="post" action="/clients/search/"' in home

    one = http.post(reverse("clients:search"), {"q": "138 0013 8000"}, follow=True)
    assert one.redirect_chain[-1][0] == reverse("clients:detail", args=[client_of_rm.pk])

    VipClientFactory.create_batch(55, branch=client_of_rm.branch, phone="13912345678")
    found = http.post(reverse("clients:search"), {"q": "13912345678", "status": "vip"}, follow=True)
    page = found.content.decode()
    assert found.status_code == 200 and "status=vip" in found.redirect_chain[-1][0]
    assert page.count(ROW) == 50
    links = re.findall(r'href="([^"]*)"', page)
    assert any("page=2" in link for link in links)
    next_page = next(link for link in links if "page=2" in link).replace("&amp;", "&")
    second = http.get(reverse("clients:list") + next_page)
    assert second.content.decode().count(ROW) == 5
    export = next(link for link in links if link.startswith(reverse("clients:export")))
    csv = b"".join(http.get(export.replace("&amp;", "&")).streaming_content).decode()
    assert csv.count("\n") == 56  # the header and the 55 matches

    urls = visited_urls(one) + visited_urls(found) + links
    assert not [url for url in urls if MOBILE.search(url.replace(" ", ""))]


def test_a_search_key_means_nothing_in_another_session(login, supervisor, rm_user, client_of_rm):
    boss = login(supervisor)
    results = boss.post(reverse("clients:search"), {"q": "王芳 x"})["Location"]
    assert 'value="王芳 x"' in boss.get(results).content.decode()
    assert 'value="王芳 x"' not in login(rm_user).get(results).content.decode()
