from django.urls import path

from feedback import api, views
from feedback.mail import views as mail_views
from feedback.web import views as web_views

app_name = "feedback"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("export.csv", views.queue_export, name="queue_export"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:reference>/take/", views.ticket_take, name="ticket_take"),
    path("tickets/<str:reference>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<str:reference>/respond/", views.ticket_respond, name="ticket_respond"),
    path("tickets/<str:reference>/resolve/", views.ticket_resolve, name="ticket_resolve"),
    path("tickets/<str:reference>/note/", views.ticket_note, name="ticket_note"),
    path("tickets/<str:reference>/close/", views.ticket_close, name="ticket_close"),
    path(
        "tickets/<str:reference>/link_client/",
        views.ticket_link_client,
        name="ticket_link_client",
    ),
    path("tickets/<str:reference>/category/", views.ticket_category, name="ticket_category"),
    path(
        "tickets/<str:reference>/attachments/<id:pk>/",
        mail_views.attachment_download,
        name="attachment_download",
    ),
    path("mail/held/", mail_views.held_mail, name="held_mail"),
    path("mail/held/<id:pk>/raw/", mail_views.held_mail_raw, name="held_mail_raw"),
    path("mail/held/<id:pk>/process/", mail_views.held_mail_process, name="held_mail_process"),
    path(
        "mail/held/<id:pk>/open-ticket/",
        mail_views.held_mail_open_ticket,
        name="held_mail_open_ticket",
    ),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("web/", web_views.web_form, name="web_form"),
    path("web/thanks/", web_views.web_thanks, name="web_thanks"),
    path("api/v1/tickets", api.tickets_create, name="api_tickets"),
    path("api/v1/tickets/<str:reference>", api.ticket_status, name="api_ticket_status"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
]
