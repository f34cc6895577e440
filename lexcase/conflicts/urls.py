from __future__ import annotations

from django.urls import path

from lexcase.conflicts import views

app_name = "conflicts"
urlpatterns = [
    path("matters/<int:pk>/conflict-review/", views.review, name="review"),
]
