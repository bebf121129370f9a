"""One rule for showing an ID number (issue 14, finding 5): the dossier and the hotline card show
the same for the same client and role, masked by ``core.masking.mask_id_number`` until the
dossier's audited "show" (for those who may see PII), whole on both after it."""

import re

import pytest
from django.urls import reverse

from core.masking import mask_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = "31010119800101123X"
MASKED = mask_id_number(ID_NUMBER)  # 310***********123X


@pytest.fixture
def caller(client_of_rm):
    client_of_rm.id_number = ID_NUMBER
    client_of_rm.save(update_fields=["id_number"])
    return client_of_rm


def shown(html: str) -> str:
    return re.search(r'data-testid="id-number">([^<]*)<', html).group(1).strip()


def dossier(http, client) -> str:
    return shown(http.get(reverse("clients:detail", args=[client.pk])).content.decode())


def hotline_card(http, client) -> str:
    response = http.post(reverse("servicedesk:hotline"), {"phone": client.phone})
    assert response.status_code == 302
    return shown(http.get(response["Location"]).content.decode())


@pytest.mark.parametrize("role", ["branch_staff", "rm_user", "supervisor"])
def test_the_dossier_and_the_hotline_card_show_the_same_mask(request, login, caller, role):
    http = login(request.getfixturevalue(role))

    assert dossier(http, caller) == hotline_card(http, caller) == MASKED
    assert MASKED == "310***********123X"


@pytest.mark.parametrize("role", ["rm_user", "supervisor"])
def test_after_the_audited_show_both_pages_show_the_whole_number(request, login, caller, role):
    http = login(request.getfixturevalue(role))
    assert http.post(reverse("clients:reveal", args=[caller.pk])).status_code == 302

    assert dossier(http, caller) == hotline_card(http, caller) == ID_NUMBER


def test_branch_staff_cannot_reveal_and_stay_masked_on_both(login, branch_staff, caller):
    http = login(branch_staff)
    http.post(reverse("clients:reveal", args=[caller.pk]))

    assert dossier(http, caller) == hotline_card(http, caller) == MASKED
