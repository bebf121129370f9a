"""One phone rule for a client's number (issue 14, finding 3): the core-banking import refuses
what the public web form refuses (``core.phone.client_phone``), for the same reason: the form says
it as a sentence, the import in its row reasons' form, quoting the number."""

import io

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import translation

from clients.admin import ClientAdmin
from clients.corebanking.importer import corebanking_import
from clients.models import Client
from core.phone import InvalidPhone, client_phone
from feedback.web.forms import WebFeedbackForm
from tests.clients.test_corebanking_import import CLIENTS_HEADER
from tests.factories.clients import ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

# Not a number, too short, a landline without its area code, a short service number, an
# unassigned mobile range: the web form refuses each of them.
REFUSED = ["12345", "6888 8888", "95588", "14012345678", "n/a", "000"]
ACCEPTED = ["13800138000", "+86 138-0013-8000", "021-6888 8888", "0086 21 68888888"]


def form_error(phone: str) -> str | None:
    form = WebFeedbackForm(
        data={
            "name": "王芳",
            "phone": phone,
            "email": "",
            "category": "complaint",
            "subject": "s",
            "description": "d",
        }
    )
    form.is_valid()
    errors = form.errors.get("phone")
    return errors[0] if errors else None


def import_error(phone: str) -> str | None:
    text = CLIENTS_HEADER + f"C001,王芳,personal,,{phone},,SH001,2020-01-01,true\n"
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()))
    assert [e.column for e in report.errors] in ([], ["phone"])
    return report.errors[0].reason if report.errors else None


@pytest.fixture(autouse=True)
def sh001(db):
    return BranchFactory(code="SH001")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("phone", REFUSED)
def test_the_import_refuses_what_the_web_form_refuses_with_its_message(phone, language):
    with translation.override(language):
        assert form_error(phone) is not None
        reason = import_error(phone)
        opening = "bad phone number: " if language == "en" else "电话号码错误："
        assert reason is not None and reason.startswith(opening) and phone in reason
    assert Client.objects.count() == 0


@pytest.mark.parametrize("phone", ACCEPTED)
def test_the_import_takes_what_the_web_form_takes(phone):
    assert form_error(phone) is None
    assert import_error(phone) is None
    assert Client.objects.get().phone_normalized == client_phone(phone)


def test_12345_is_refused_by_the_one_rule():
    with pytest.raises(InvalidPhone) as refused:
        client_phone("12345")
    assert str(refused.value) == (
        "Enter the whole number: a mobile number, or a landline with its area code."
    )


@pytest.mark.parametrize("phone", ["12345", "6888 8888"])
def test_the_admins_client_form_refuses_it_with_the_same_message(phone, sh001, admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    ClientAdminForm = ClientAdmin(Client, admin.site).get_form(request)  # noqa: N806
    client = ClientFactory(branch=sh001)
    data = {k: v for k, v in model_to_dict(client).items() if v is not None}
    form = ClientAdminForm(data={**data, "phone": phone}, instance=client)

    assert not form.is_valid()
    assert form.errors["phone"] == [form_error(phone)]
    good = ClientAdminForm(data={**data, "phone": "021-6888 8888"}, instance=client)
    good.is_valid()
    assert "phone" not in good.errors
