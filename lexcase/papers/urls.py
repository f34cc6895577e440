from __future__ import annotations

from django.urls import path

from lexcase.papers import views

app_name = "papers"
urlpatterns = [
    path("papers/templates/", views.templates_page, name="templates"),
    path(
        "papers/templates/<slug:key>/download/", views.template_download, name="template_download"
    ),
    path("matters/<int:pk>/papers/", views.matter_papers, name="matter"),
    path("matters/<int:pk>/papers/generate/", views.paper_generate, name="generate"),
    path("matters/<int:pk>/papers/dossier/", views.dossier_page, name="dossier"),
    path(
        "matters/<int:pk>/papers/dossier/assemble/",
        views.dossier_assemble,
        name="dossier_assemble",
    ),
    path("papers/court-messages/", views.court_messages, name="court_messages"),
    path("papers/court-messages/<int:pk>/", views.court_message, name="court_message"),
    path(
        "papers/court-messages/<int:pk>/match/",
        views.court_message_match,
        name="court_message_match",
    ),
    path(
        "papers/court-messages/<int:pk>/reparse/",
        views.court_message_reparse,
        name="court_message_reparse",
    ),
]
