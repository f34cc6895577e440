from __future__ import annotations

from django.urls import path

from lexcase.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/robots/", views.robot_channels, name="robots"),
    path("notifications/robots/<int:pk>/", views.robot_channel_edit, name="robot_edit"),
    path("notifications/robots/<int:pk>/delete/", views.robot_channel_delete, name="robot_delete"),
    path("notifications/robots/<int:pk>/test/", views.robot_channel_test, name="robot_test"),
]
