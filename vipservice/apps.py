from auditlog.apps import AuditlogConfig as BaseAuditlogConfig
from axes.apps import AppConfig as BaseAxesConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    """Django admin whose default site asks for the second factor (core.admin_site)."""

    default_site = "core.admin_site.VerifiedAdminSite"


# Third-party apps under names of our own (issue 14): their own catalogues have no Chinese, so an
# administrator read "Axes" and "Audit log" in the Chinese admin. Their models' names are
# translated in the project catalogue (``vipservice.third_party_labels``).


class AxesConfig(BaseAxesConfig):
    """django-axes: failed sign-ins and lock-outs."""

    verbose_name = _("Sign-in protection")


class AuditlogConfig(BaseAuditlogConfig):
    """django-auditlog: the change records of the audited models."""

    verbose_name = _("Change log")
