from django.urls import path

from dataruns import views

app_name = "dataruns"

urlpatterns = [path("", views.run_list, name="list")]
