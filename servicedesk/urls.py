from django.urls import path

from servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/caller/<str:key>/", views.hotline_caller, name="hotline_caller"),
    path("callbacks/", views.callback_list, name="callbacks"),
    path("callbacks/<id:pk>/", views.callback_detail, name="callback_detail"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<id:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<id:pk>/status/", views.plan_status, name="plan_status"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<id:pk>/", views.event_detail, name="event_detail"),
    path("invitations/<id:pk>/", views.invitation_update, name="invitation_update"),
]
