from django.urls import path

from managers import views

app_name = "managers"

urlpatterns = [
    path("", views.board, name="board"),
    path("clients/<id:client_pk>/assign/", views.assign, name="assign"),
    path("clients/<id:client_pk>/reassign/", views.reassign, name="reassign"),
    path("clients/<id:client_pk>/history/", views.history, name="history"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/add/", views.candidate_add, name="candidate_add"),
    path("candidates/<id:pk>/approve/", views.candidate_approve, name="candidate_approve"),
    path("candidates/<id:pk>/reject/", views.candidate_reject, name="candidate_reject"),
    path("training/", views.training, name="training"),
    path("training/rm/<id:pk>/", views.training_rm, name="training_rm"),
    path("training/courses/add/", views.course_add, name="course_add"),
    path("training/courses/<id:pk>/", views.course_detail, name="course_detail"),
    path("rota/", views.rota, name="rota"),
    path("rota/shifts/add/", views.shift_add, name="shift_add"),
    path("rota/shifts/<id:pk>/delete/", views.shift_delete, name="shift_delete"),
]
