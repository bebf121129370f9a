from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("search/", views.client_search, name="search"),
    path("export/", views.client_export, name="export"),
    path("import/", views.corebanking_upload, name="import"),
    path("import/<id:pk>/", views.corebanking_upload_detail, name="import_run"),
    path("import/<id:pk>/status/", views.corebanking_upload_status, name="import_status"),
    path("import/<id:pk>/again/", views.corebanking_upload_again, name="import_again"),
    path("policy/", views.policy, name="policy"),
    path("<id:pk>/", views.client_detail, name="detail"),
    path("<id:pk>/panel/<str:key>/", views.client_panel, name="panel"),
    path("<id:pk>/reveal/", views.client_reveal, name="reveal"),
    path("<id:pk>/preferences/", views.client_preferences, name="preferences"),
    path("<id:pk>/override/", views.override_create, name="override"),
    path(
        "<id:pk>/override/<id:override_pk>/revoke/", views.override_revoke, name="override_revoke"
    ),
]
