from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/approve/", views.proposal_approve, name="approve"),
    path("<int:pk>/reject/", views.proposal_reject, name="reject"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
]
