"""Django's own texts read naturally in Chinese (the tester's finding): the project catalogue
translates Django's length, value and digit limits and the admin's "Model name" anew
(``vipservice.django_texts``), so "确保该变量包含不超过…" and "型号名称" appear nowhere."""

import ast
from pathlib import Path

import django
import polib
import pytest
from django import forms
from django.utils import translation

from vipservice import django_texts

pytestmark = pytest.mark.django_db

DJANGO_PO = Path(django.__file__).parent / "conf/locale/zh_Hans/LC_MESSAGES/django.po"
ADMIN_PO = Path(django.__file__).parent / "contrib/admin/locale/zh_Hans/LC_MESSAGES/django.po"


def _listed_msgids() -> set[str]:
    """The first argument (the msgid, or the singular) of every call in django_texts.py."""
    tree = ast.parse(Path(django_texts.__file__).read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
    }


def test_every_listed_id_is_exactly_one_of_djangos():
    theirs = {e.msgid for po in (DJANGO_PO, ADMIN_PO) for e in polib.pofile(str(po))}
    listed = _listed_msgids()
    assert len(listed) == len(django_texts.DJANGO_MSGIDS) and listed <= theirs


class Limits(forms.Form):
    text = forms.CharField(max_length=5, min_length=2)
    amount = forms.DecimalField(max_digits=4, decimal_places=1, max_value=100)


@pytest.mark.parametrize(
    ("data", "field", "chinese"),
    [
        ({"text": "一二三四五六七"}, "text", "最多 5 个字符，当前 7 个。"),
        ({"text": "一"}, "text", "至少 2 个字符，当前 1 个。"),
        ({"text": "ok", "amount": "1.25"}, "amount", "最多 1 位小数。"),
        ({"text": "ok", "amount": "101"}, "amount", "不能大于 100。"),
    ],
)
def test_form_limits_read_naturally_in_chinese(data, field, chinese):
    with translation.override("zh-hans"):
        errors = Limits(data).errors[field]
    assert errors == [chinese]


def test_the_public_form_says_how_long_a_field_may_be_in_chinese(client):
    response = client.post(
        "/feedback/web/",
        {
            "name": "王" * 101,
            "category": "complaint",
            "subject": "s",
            "description": "d",
            "email": "a@example.com",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = response.content.decode()
    assert "最多 100 个字符，当前 101 个。" in text
    assert "确保" not in text


def test_the_chinese_admin_says_model_name_not_product_model(login, admin_user):
    html = login(admin_user, language="zh-hans").get("/admin/").content.decode()
    assert "型号名称" not in html and "模型名称" in html


def test_the_public_form_asks_for_an_email_address_in_chinese(client):
    response = client.post(
        "/feedback/web/",
        {"category": "complaint", "subject": "s", "description": "d", "email": "not an address"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    text = response.content.decode()
    assert "请输入有效的电子邮件地址。" in text
    assert "Email" not in text
