"""The one phone rule reads a number however a person types it, at every door that takes one: a
Chinese input method's full-width characters (１３８…, （０２１）, －, ＋), typographic dashes, and a
landline's extension (转 8001, 分机, ext, x, #, or the Chinese "-8001" after a whole landline).
The number is the line's own E.164 (the extension is kept only in the text as typed). Each door:
the web feedback form, the hotline look-up and its call log, the core-banking import, a client
and an RM edited in admin, the RM candidate form."""

import io

import pytest
from django.forms import modelform_factory
from django.test import Client as HttpClient

from clients.admin import ClientAdminForm
from clients.corebanking.importer import corebanking_import
from clients.models import Client
from core.phone import InvalidPhone, client_phone
from feedback.models import Ticket
from managers.admin import RelationshipManagerAdminForm
from managers.forms import CandidateForm
from managers.models import RelationshipManager
from servicedesk.forms import PhoneLookupForm
from servicedesk.services import call_log_create
from tests.factories.clients import ClientFactory
from tests.factories.core import BranchFactory

pytestmark = pytest.mark.django_db

MOBILE = "+8613800138000"
SHANGHAI = "+862168888888"
BEIJING = "+861068888888"

TYPED = [
    ("１３８００１３８０００", MOBILE),
    ("＋８６ １３８－００１３－８０００", MOBILE),
    ("００８６ １３８ ００１３ ８０００", MOBILE),
    ("138\u30000013\u30008000", MOBILE),  # ideographic spaces
    ("138–0013–8000", MOBILE),  # en dashes
    ("138—0013—8000", MOBILE),  # em dashes (a Chinese input method's shift+minus)
    ("138‐0013‐8000", MOBILE),
    ("+86 138−0013−8000", MOBILE),  # minus sign
    ("（０２１）６８８８ ８８８８", SHANGHAI),
    ("(021)6888-8888", SHANGHAI),
    ("+86 (0)21 6888 8888", SHANGHAI),
    ("021-68888888转123", SHANGHAI),
    ("021-6888 8888 转 8001", SHANGHAI),
    ("021-68888888 分机 123", SHANGHAI),
    ("021-68888888分机号123", SHANGHAI),
    ("021 6888 8888 ext. 123", SHANGHAI),
    ("021 6888 8888 EXT 123", SHANGHAI),
    ("0086 21 68888888 x 99", SHANGHAI),
    ("021-68888888#123", SHANGHAI),
    ("021 6888 8888,123", SHANGHAI),
    ("021 6888 8888，123", SHANGHAI),  # a full-width comma
    ("010-6888 8888-8001", BEIJING),
    ("010-68888888-1", BEIJING),
    ("０１０－６８８８８８８８－８００１", BEIJING),
    # What a switchboard or a caller display shows: a trunk 0 before a mobile, an IP-dialling
    # prefix, +86 in brackets, +86 before the trunk 0.
    ("013800138000", MOBILE),
    ("17951 13800138000", MOBILE),
    ("17951 021 68888888", SHANGHAI),
    ("12593-010-68888888", BEIJING),
    ("(+86)13800138000", MOBILE),
    ("+86-021-68888888", SHANGHAI),
]
REFUSED = [
    ("abc", "characters"),
    ("١٣٨٠٠١٣٨٠٠٠", "characters"),  # other scripts' digits are not read as numbers
    ("13800138000转", "characters"),
    ("13800138000-12", "length"),  # a mobile has no extension: a mistyped number
    ("6888 8888 转 123", "incomplete"),  # a landline's extension does not make up its area code
    ("95588", "incomplete"),
]


@pytest.mark.parametrize(("typed", "e164"), TYPED)
def test_the_rule_reads_the_number_as_typed(typed, e164):
    assert client_phone(typed) == e164


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_what_is_not_a_whole_number_is_still_refused_with_its_reason(typed, code):
    with pytest.raises(InvalidPhone) as refused:
        client_phone(typed)
    assert refused.value.code == code


@pytest.mark.parametrize(("typed", "e164"), TYPED)
def test_the_web_form_matches_the_client_and_keeps_what_was_typed(typed, e164):
    client = ClientFactory(phone=e164)
    response = HttpClient().post(
        "/feedback/web/",
        {"phone": typed, "category": "complaint", "subject": "等候太久", "description": "请回电"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    ticket = Ticket.objects.get()
    assert (ticket.client, ticket.sender_phone, ticket.sender_phone_typed) == (client, e164, typed)


@pytest.mark.parametrize(("typed", "e164"), TYPED)
def test_the_hotline_finds_the_caller(typed, e164, branch_staff):
    client = ClientFactory(phone=e164)
    form = PhoneLookupForm({"phone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == e164
    call = call_log_create(handled_by=branch_staff, phone=typed, topic="enquiry")
    assert (call.client, call.phone_normalized) == (client, e164)


@pytest.mark.parametrize(("typed", "e164"), TYPED)
def test_the_import_takes_the_number_as_typed(typed, e164):
    BranchFactory(code="SH001")
    text = (
        "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
        f'C001,王芳,personal,,"{typed}",,SH001,2020-01-01,true\n'
    )
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()))
    assert report.ok, [str(e) for e in report.errors]
    assert Client.objects.values_list("phone", "phone_normalized").get() == (typed, e164)


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_the_import_refuses_what_the_rule_refuses(typed, code):
    BranchFactory(code="SH001")
    text = (
        "client_no,name,kind,id_number,phone,email,branch_code,relationship_since,good_standing\n"
        f'C001,王芳,personal,,"{typed}",,SH001,2020-01-01,true\n'
    )
    report = corebanking_import(kind="clients", file=io.BytesIO(text.encode()))
    assert [(e.line, e.column) for e in report.errors] == [(2, "phone")]
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("typed", "valid"), [(t, True) for t, _e in TYPED] + [(t, False) for t, _c in REFUSED]
)
def test_every_form_that_edits_a_phone_takes_the_rule(typed, valid):
    forms = [
        # As the admin makes them (``ModelAdmin.get_form``).
        modelform_factory(Client, form=ClientAdminForm, fields=["phone"])({"phone": typed}),
        modelform_factory(RelationshipManager, form=RelationshipManagerAdminForm, fields=["phone"])(
            {"phone": typed}
        ),
        CandidateForm({"phone": typed}),
    ]
    for form in forms:
        form.is_valid()
        assert ("phone" not in form.errors) is valid, (type(form).__name__, form.errors)
