from __future__ import annotations

from django.urls import path

from lexcase.web import views

# The matter page is assembled here (it draws on calendar and conflicts); it keeps its
# `matters:detail` name: the project's urls.py serves it in the `matters` namespace.
matter_urlpatterns = [
    path("<int:pk>/", views.matter_detail, name="detail"),
]
