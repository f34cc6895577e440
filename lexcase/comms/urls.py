from __future__ import annotations

from django.urls import path

from lexcase.comms import views
from lexcase.notifications import views as notification_views

# The notification pages belong to `notifications` but keep their `comms:` names and paths
# (templates, bookmarks and the access table know them).
app_name = "comms"
urlpatterns = [
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notification_read_all, name="read_all"),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="preferences",
    ),
    path("communications/", views.communication_list, name="list"),
    path("communications/export/", views.communication_export, name="export"),
    path("communications/intervals/", views.update_intervals, name="intervals"),
    path("communications/report-template/", views.report_template_edit, name="report_template"),
    path("communications/reports/<int:pk>.pdf", views.report_pdf, name="report_pdf"),
    path("matters/<int:pk>/communications/", views.communication_create, name="create"),
    path("matters/<int:pk>/client-updates/", views.policy_update, name="policy"),
    path("matters/<int:pk>/progress-reports/", views.report_create, name="report_create"),
]
