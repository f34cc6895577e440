from __future__ import annotations

from django.urls import path

from lexcase.conflicts import views

app_name = "conflicts"
urlpatterns = [
    path("matters/<int:pk>/conflict-review/", views.review, name="review"),
    path("matters/<int:pk>/conflict-check/", views.run_check, name="run_check"),
    path("matters/<int:pk>/conflict-report.pdf", views.report_pdf, name="report_pdf"),
    path("conflicts/check/", views.adhoc_check, name="check"),
    path("conflicts/suggest/", views.suggest, name="suggest"),
    path("conflicts/relatives/", views.relatives, name="relatives"),
    path("conflicts/relatives/<int:pk>/remove/", views.relative_remove, name="relative_remove"),
]
