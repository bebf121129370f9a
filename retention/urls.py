from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [path("<id:pk>/close/", views.task_close, name="close")]
