from django.urls import path

from servicedesk.views import callbacks, events, hotline, plans

app_name = "servicedesk"

urlpatterns = [
    path("hotline/", hotline.hotline, name="hotline"),
    path("hotline/caller/<str:key>/", hotline.hotline_caller, name="hotline_caller"),
    path("callbacks/", callbacks.callback_list, name="callbacks"),
    path("callbacks/<id:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<id:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<id:pk>/status/", plans.plan_status, name="plan_status"),
    path("events/", events.event_list, name="events"),
    path("events/new/", events.event_new, name="event_new"),
    path("events/<id:pk>/", events.event_detail, name="event_detail"),
    path("invitations/<id:pk>/", events.invitation_update, name="invitation_update"),
]
