from __future__ import annotations

from django.urls import path

from lexcase.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.firm_dashboard, name="firm"),
    path("insights/export.xlsx", views.firm_export, name="firm_export"),
    path("insights/mine/", views.my_dashboard, name="mine"),
    path("insights/mine/export.xlsx", views.my_export, name="mine_export"),
    path("matters/<int:pk>/outcome-stats/", views.matter_outcomes, name="matter_outcomes"),
]
