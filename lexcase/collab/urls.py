from __future__ import annotations

from django.urls import path

from lexcase.collab import views

app_name = "collab"
urlpatterns = [
    # The outside helper's own pages
    path("collab/", views.home, name="home"),
    path("collab/tasks/<int:pk>/", views.task_page, name="task"),
    path("collab/tasks/<int:pk>/upload/", views.upload, name="upload"),
    path(
        "collab/tasks/<int:pk>/documents/<int:document_pk>/download/",
        views.download,
        name="download",
    ),
    # The team: a task's outside helpers
    path("tasks/<int:pk>/helpers/", views.task_helpers, name="task_helpers"),
    path("tasks/<int:pk>/helpers/share/", views.task_share, name="task_share"),
    path(
        "tasks/<int:pk>/helpers/<int:collaboration_pk>/revoke/",
        views.revoke,
        name="revoke",
    ),
]
