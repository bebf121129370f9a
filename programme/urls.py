from django.urls import path

from programme import views

app_name = "programme"

urlpatterns = [
    path("force/", views.night_force, name="night_force"),
    path("runs/<id:pk>/again/", views.night_again, name="night_again"),
]
