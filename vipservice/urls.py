from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from core import views as core_views
from core.ids import IdConverter

# Before the apps' URLconfs are included: their paths take row ids as <id:pk>.
register_converter(IdConverter, "id")

admin.site.site_header = _("VIP Service administration")
admin.site.site_title = _("VIP Service")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("accounts/login/", core_views.SignInView.as_view(), name="login"),
    path("accounts/verify/", core_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/", core_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/start/", core_views.two_factor_start, name="two_factor_start"),
    path("accounts/two-factor/confirm/", core_views.two_factor_confirm, name="two_factor_confirm"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("clients/", include("clients.urls")),
    path("managers/", include("managers.urls")),
    path("service/", include("servicedesk.urls")),
    path("feedback/", include("feedback.urls")),
    path("analytics/", include("analytics.urls")),
    path("approvals/", include("approvals.urls")),
    path("data-runs/", include("dataruns.urls")),
    path("programme/", include("programme.urls")),
    path("retention/", include("retention.urls")),
    path("", include("core.urls")),
]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
