"""The hotline reads a number as the client search and the forms do (``core.phone.typed_text``,
NFKC): a Chinese input method's full-width digits, plus sign and brackets are the ASCII ones, so
a caller typed ``１３８…`` is found; digits of other scripts are still refused with a reason."""

import pytest
from django.urls import reverse

from servicedesk.models import CallLog

pytestmark = pytest.mark.django_db

HOTLINE = reverse("servicedesk:hotline")


@pytest.fixture
def caller(client_of_rm, phone_indexed):
    return phone_indexed(client_of_rm, "13800138000")


@pytest.fixture
def landline_caller(client_of_rm, phone_indexed):
    return phone_indexed(client_of_rm, "021-6888 8888")


@pytest.mark.parametrize(
    "typed",
    [
        "１３８００１３８０００",
        "１３８　００１３　８０００",  # ideographic spaces
        "１３８－００１３－８０００",
        "＋８６ １３８００１３８０００",
        "００８６１３８００１３８０００",
        "138００138000",  # half switched
    ],
)
def test_a_caller_typed_in_full_width_digits_is_found(login, branch_staff, caller, typed):
    http = login(branch_staff)

    response = http.post(HOTLINE, {"phone": typed})

    assert response.status_code == 302, response.content[:300]
    page = http.get(response["Location"])
    assert caller.name in page.content.decode()
    assert response["Location"] == http.post(HOTLINE, {"phone": "13800138000"})["Location"]


def test_a_full_width_landline_with_its_area_code_is_found(login, branch_staff, landline_caller):
    http = login(branch_staff)

    response = http.post(HOTLINE, {"phone": "（０２１）６８８８ ８８８８"})

    assert response.status_code == 302
    assert landline_caller.name in http.get(response["Location"]).content.decode()


@pytest.mark.parametrize("typed", ["١٣٨٠٠١٣٨٠٠٠", "१३८००१३८०००", "１３８ＡＢＣ"])
def test_digits_of_other_scripts_are_refused_with_a_reason(login, branch_staff, caller, typed):
    response = login(branch_staff).post(HOTLINE, {"phone": typed})

    assert response.status_code == 200
    assert response.context["lookup_form"].errors["phone"]
    assert not CallLog.objects.exists()
