from __future__ import annotations

from django.urls import path

from lexcase.todos import views

app_name = "todos"
urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/move/", views.task_move, name="task_move"),
    path("tasks/<int:pk>/comments/", views.task_comment, name="task_comment"),
    path("tasks/checklists/", views.checklists, name="checklists"),
    path(
        "tasks/checklists/items/<int:pk>/remove/",
        views.checklist_item_remove,
        name="checklist_item_remove",
    ),
    path("matters/<int:pk>/tasks/", views.matter_board, name="matter_board"),
    path("matters/<int:pk>/tasks/new/", views.matter_task_create, name="matter_task_create"),
    path("matters/<int:pk>/lead-suggestions/", views.lead_suggestions, name="lead_suggestions"),
    path("workload/", views.workload_page, name="workload"),
    path("workload/suggestions/", views.new_matter_suggestions, name="new_matter_suggestions"),
]
