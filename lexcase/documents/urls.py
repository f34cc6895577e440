from __future__ import annotations

from django.urls import path

from lexcase.documents import views

app_name = "documents"
urlpatterns = [
    path("matters/<int:pk>/documents/", views.document_upload, name="upload"),
    path("matters/<int:pk>/documents/suggest/", views.document_suggest, name="suggest"),
    path("documents/<int:document_id>/", views.document_detail, name="detail"),
    path("documents/<int:document_id>/edit/", views.document_edit, name="edit"),
    path("documents/<int:document_id>/delete/", views.document_delete, name="delete"),
    path("documents/<int:document_id>/versions/", views.document_version_add, name="version_add"),
    path("documents/<int:document_id>/download/", views.document_download, name="download"),
    path(
        "documents/versions/<int:version_id>/download/",
        views.version_download,
        name="version_download",
    ),
]
