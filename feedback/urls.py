from django.urls import path

from feedback import api, views

app_name = "feedback"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("export.csv", views.queue_export, name="queue_export"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:reference>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("api/v1/tickets", api.tickets_create, name="api_tickets"),
    path("api/v1/tickets/<str:reference>", api.ticket_status, name="api_ticket_status"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
]
