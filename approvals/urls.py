from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("<id:pk>/", views.proposal_detail, name="detail"),
    path("<id:pk>/approve/", views.proposal_approve, name="approve"),
    path("<id:pk>/reject/", views.proposal_reject, name="reject"),
    path("<id:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
]
