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
]
