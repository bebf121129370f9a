"""Django admin behind the product's own sign-in (issue 13): its login page sends to ours, so the
second factor cannot be skipped through the admin's password form, and a user who has enrolled an
authenticator must have given its code in this session."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.db.models.base import ModelBase
from django.urls import reverse

from core import selectors
from core.forms import DateField, SplitDateTimeField

# Every date and time typed in admin within the product's range (``core.forms.DATE_MIN`` ..
# ``DATE_MAX``), as in the product's own forms: 0001-01-01 00:00 in Asia/Shanghai is before
# Python's first instant in UTC (a 500).
DATE_FORM_FIELDS = {
    models.DateField: {"form_class": DateField},
    models.DateTimeField: {"form_class": SplitDateTimeField},
}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the product writes (history, runs, decided proposals): looked at in admin, never
    added, edited or deleted by hand there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VerifiedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        """Django's, then each model's admin takes dates through the bounded fields."""
        super().register(model_or_iterable, admin_class, **options)
        registered = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in registered:
            if model not in self._registry:  # a swapped model (auth.User) is not registered
                continue
            overrides = self._registry[model].formfield_overrides
            for db_field, kwargs in DATE_FORM_FIELDS.items():
                overrides.setdefault(db_field, {}).update(kwargs)

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and selectors.two_factor_passed(user=request.user)

    def login(self, request, extra_context=None):
        """Signed out: the product's sign-in (password, then the code). Signed in without the code
        an enrolled device needs (a session from before the enrolment): signed out, then the same.
        Signed in without admin rights: Django's "not authorised" page, whose form posts back here
        and is sent to the product's sign-in, never checked by the admin's own form."""
        user = request.user
        if request.method == "GET" and user.is_authenticated:
            if selectors.two_factor_passed(user=user):
                return super().login(request, extra_context)
            logout(request)
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, settings.LOGIN_URL)
