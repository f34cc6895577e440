from __future__ import annotations

from django.urls import path

from lexcase.reviews import views

app_name = "reviews"
urlpatterns = [
    path("reviews/", views.my_reviews, name="mine"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("matters/<int:pk>/reviews/", views.matter_reviews, name="matter_reviews"),
    path("matters/<int:pk>/reviews/closing/", views.closing_request, name="closing_request"),
    path("matters/<int:pk>/reviews/delegate/", views.delegate, name="delegate"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/sealed/", views.seal_file_back, name="seal_file_back"),
    path("matters/<int:pk>/approvals/seal/", views.seal_request, name="seal_request"),
    path("matters/<int:pk>/approvals/archive/", views.archive_request, name="archive_request"),
]
