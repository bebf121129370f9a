from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("export/", views.export_view, name="export"),
    path("breakdown/", views.breakdown_view, name="breakdown"),
    path("my-figures/", views.my_figures, name="my_figures"),
]
