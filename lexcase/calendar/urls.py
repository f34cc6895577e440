from __future__ import annotations

from django.urls import path

from lexcase.calendar import views

app_name = "calendar"
urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/week/", views.agenda_week, name="agenda_week"),
    path("agenda/month/", views.agenda_month, name="agenda_month"),
    path("agenda/deadlines/export/", views.deadline_export, name="deadline_export"),
    path("matters/<int:pk>/served/", views.served_record, name="served_record"),
    path("served/<int:doc_id>/effective/", views.served_effective, name="served_effective"),
    path("matters/<int:pk>/deadlines/", views.deadline_create, name="deadline_create"),
    path("matters/<int:pk>/hearings/", views.hearing_create, name="hearing_create"),
    path("deadlines/<int:deadline_id>/confirm/", views.deadline_confirm, name="deadline_confirm"),
    path("deadlines/<int:deadline_id>/dismiss/", views.deadline_dismiss, name="deadline_dismiss"),
    path("deadlines/<int:deadline_id>/done/", views.deadline_done, name="deadline_done"),
    path("matters/<int:pk>/limitations/", views.limitation_create, name="limitation_create"),
    path(
        "limitations/<int:period_id>/events/", views.limitation_event_add, name="limitation_event"
    ),
    path("calendar/feed/", views.feed_settings, name="feed"),
    path("calendar/feed/<str:token>.ics", views.feed_ics, name="feed_ics"),
    path("calendar/holidays/", views.holidays, name="holidays"),
]
