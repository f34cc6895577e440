from __future__ import annotations

from django.urls import path

from lexcase.web import personal_data_views, views

# The matter page is assembled here (it draws on calendar and conflicts); it keeps its
# `matters:detail` name: the project's urls.py serves it in the `matters` namespace.
matter_urlpatterns = [
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/forms/<slug:name>/", views.matter_form, name="form"),
]

# A person's data (PIPL): served in the `parties` namespace beside the directory's pages.
party_urlpatterns = [
    path(
        "<int:pk>/personal-data.json",
        personal_data_views.party_personal_data_json,
        name="personal_data_json",
    ),
    path(
        "<int:pk>/personal-data.pdf",
        personal_data_views.party_personal_data_pdf,
        name="personal_data_pdf",
    ),
]
