from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("export/", views.client_export, name="export"),
    path("import/", views.corebanking_upload, name="import"),
    path("policy/", views.policy, name="policy"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/panel/<str:key>/", views.client_panel, name="panel"),
    path("<int:pk>/reveal/", views.client_reveal, name="reveal"),
    path("<int:pk>/preferences/", views.client_preferences, name="preferences"),
    path("<int:pk>/override/", views.override_create, name="override"),
    path(
        "<int:pk>/override/<int:override_pk>/revoke/", views.override_revoke, name="override_revoke"
    ),
]
