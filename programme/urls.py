from django.urls import path

from programme import views

app_name = "programme"

urlpatterns = [path("force/", views.night_force, name="night_force")]
