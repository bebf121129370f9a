"""A typed date outside the bank's calendar (``core.forms.DATE_MIN`` .. ``DATE_MAX``) is a field
error, never a 500 (issue 14): 9999-12-31 plus a week and 0001-01-01 00:00 in Asia/Shanghai in UTC
are beyond Python's calendar. Every form's and every admin's dates go through the one bounded
field, which the first tests find generated from the code, the others by request."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import translation

from clients.models import StatusOverride
from core.forms import DATE_MAX, DATE_MIN, DateField, DateTimeField, SplitDateTimeField
from dataruns.models import NightRun
from managers.models import Shift, TrainingCourse
from servicedesk.models import Callback, CallbackStatus, Event
from tests.factories.servicedesk import CallbackFactory

pytestmark = pytest.mark.django_db

BEYOND = ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"]
BOUNDED = (DateField, DateTimeField, SplitDateTimeField)


def _project_form_classes():
    """Every form class defined in the project's apps (their ``forms`` modules and packages)."""
    found = set()
    for config in apps.get_app_configs():
        # The project's apps: under its folder, and not installed packages (the virtualenv may
        # be inside the folder too: ./dev makes .venv there).
        project = str(apps.get_app_config("core").path).rsplit("/", 1)[0]
        if not config.path.startswith(project) or "site-packages" in config.path:
            continue
        try:
            package = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [
                importlib.import_module(f"{package.__name__}.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_every_form_takes_its_dates_through_the_bounded_fields():
    classes = _project_form_classes()
    assert len(classes) > 20
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField)
        and not isinstance(field, BOUNDED)
    ]
    assert unbounded == []


def test_every_admin_takes_its_dates_through_the_bounded_fields():
    for model, model_admin in admin.site._registry.items():
        overrides = model_admin.formfield_overrides
        assert overrides[models.DateField]["form_class"] is DateField, model
        assert overrides[models.DateTimeField]["form_class"] is SplitDateTimeField, model


@pytest.mark.parametrize("day", BEYOND)
def test_the_rota_of_a_week_beyond_the_calendar_shows_this_week(login, supervisor, rm_user, day):
    for user in (supervisor, rm_user):
        response = login(user).get(reverse("managers:rota"), {"start": day})

        assert response.status_code == 200
        assert response.context["days"][0].year < 3000


@pytest.mark.parametrize("day", BEYOND)
def test_a_shift_beyond_the_calendar_is_a_field_error(login, supervisor, rm, day):
    response = login(supervisor).post(
        reverse("managers:shift_add"),
        {"rm": rm.pk, "starts_at": f"{day}T00:00", "ends_at": "2026-12-01T08:00"},
    )

    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not Shift.objects.exists()


@pytest.mark.parametrize("day", BEYOND)
def test_a_shift_beyond_the_calendar_is_a_field_error_in_admin(login, admin_user, rm, day):
    response = login(admin_user).post(
        "/admin/managers/shift/add/",
        {
            "rm": rm.pk,
            "starts_at_0": day,
            "starts_at_1": "00:00",
            "ends_at_0": "2026-12-01",
            "ends_at_1": "08:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"]
    assert not Shift.objects.exists()


@pytest.fixture
def date_forms(supervisor, rm_user, client_of_rm):
    """(user, url, data with the date field named by ``"{day}"``, the rows that must not change)
    for each page that takes a date."""
    callback = CallbackFactory(client=client_of_rm)
    return {
        "course": (
            supervisor,
            reverse("managers:course_add"),
            {"title": "t", "held_on": "{day}", "hours": "1", "cost_per_attendee": "1"},
            lambda: TrainingCourse.objects.count(),
        ),
        "event": (
            supervisor,
            reverse("servicedesk:event_new"),
            {"title": "e", "held_on": "{day}", "place": "p", "cost": "1"},
            lambda: Event.objects.count(),
        ),
        "callback": (
            rm_user,
            reverse("servicedesk:callback_detail", args=[callback.pk]),
            {"outcome": "not_reached", "retry_on": "{day}"},
            lambda: Callback.objects.filter(status=CallbackStatus.PENDING).count(),
        ),
        "override": (
            supervisor,
            reverse("clients:override", args=[client_of_rm.pk]),
            {"status": "vip", "reason": "r", "ends_on": "{day}"},
            lambda: StatusOverride.objects.count(),
        ),
        "forced run": (
            supervisor,
            reverse("dataruns:list"),
            {"business_date": "{day}", "reason": "r"},
            lambda: NightRun.objects.count(),
        ),
    }


@pytest.mark.parametrize("page", ["course", "event", "callback", "override", "forced run"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_beyond_the_calendar_changes_nothing(login, date_forms, page, day):
    user, url, data, rows = date_forms[page]
    before = rows()

    response = login(user).post(url, {k: v.format(day=day) for k, v in data.items()})

    assert response.status_code < 500
    assert rows() == before


def test_the_reason_names_the_range_in_the_users_language():
    field = DateField()
    for language, words in (("zh-hans", "日期"), ("en", "Enter a date")):
        with translation.override(language):
            with pytest.raises(forms.ValidationError) as excinfo:
                field.clean("9999-12-31")
            message = excinfo.value.messages[0]
        assert words in message
        assert DATE_MIN.isoformat() in message and DATE_MAX.isoformat() in message
