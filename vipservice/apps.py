from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django admin whose default site asks for the second factor (core.admin_site)."""

    default_site = "core.admin_site.VerifiedAdminSite"
