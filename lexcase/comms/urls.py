from __future__ import annotations

from django.urls import path

from lexcase.comms import views

app_name = "comms"
urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read/", views.notification_read_all, name="read_all"),
]
