"""Django admin's third-party sections in Chinese (issue 14, finding 6): django-axes and
django-auditlog ship no zh-Hans catalogue; their app names are ours (``vipservice.apps``) and
their model names are in the project catalogue (``vipservice.third_party_labels``)."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.utils import translation

from vipservice.third_party_labels import THIRD_PARTY_MSGIDS

pytestmark = pytest.mark.django_db

THIRD_PARTY_APPS = ("axes", "auditlog")


def third_party_models():
    return [m for label in THIRD_PARTY_APPS for m in apps.get_app_config(label).get_models()]


def test_the_chinese_admin_index_names_them_in_chinese(login, admin_user):
    html = login(admin_user, language="zh-hans").get("/admin/").content.decode()

    for chinese in ("登录防护", "变更日志", "登录尝试", "登录失败记录", "访问日志", "变更记录"):
        assert chinese in html
    for english in ("Axes", "Audit log", "Access attempts", "Access logs", "Log entries"):
        assert f">{english}<" not in html


def test_their_app_pages_are_in_chinese(login, admin_user):
    http = login(admin_user, language="zh-hans")

    assert "登录防护" in http.get("/admin/axes/").content.decode()
    page = http.get("/admin/auditlog/logentry/").content.decode()
    assert "变更日志" in page and "变更记录" in page


def test_every_name_they_show_has_chinese():
    with translation.override("zh-hans"):
        for label in THIRD_PARTY_APPS:
            name = str(apps.get_app_config(label).verbose_name)
            assert name.isascii() is False, label
        for model in third_party_models():
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                assert str(name).isascii() is False, (model, name)


def test_the_listed_ids_are_the_apps_own():
    assert {AccessAttempt, AccessFailureLog, AccessLog, LogEntry} <= set(third_party_models())
    with translation.override("en"):
        names = {
            str(name)
            for model in third_party_models()
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural)
        }
    assert names <= set(THIRD_PARTY_MSGIDS)
