"""The client's pages of this app, under /portal/ (where the portal gate lets clients in)."""

from __future__ import annotations

from django.urls import path

from lexcase.reviews import views

app_name = "reviews_portal"
urlpatterns = [
    path("matters/<int:pk>/survey/", views.survey, name="survey"),
]
