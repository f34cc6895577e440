"""URL patterns of the money pages: agreements, time, timesheets,
expenses, client funds, fee statements (views in
`billing/views/work.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from lexcase.billing.views import work as views

urlpatterns: list[URLPattern] = [
    path("matters/<int:pk>/fees/", views.agreements, name="agreements"),
    path("matters/<int:pk>/fees/new/", views.agreement_create, name="agreement_create"),
    path("fees/agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("fees/agreements/<int:pk>/submit/", views.agreement_submit, name="agreement_submit"),
    path("fees/agreements/<int:pk>/approve/", views.agreement_approve, name="agreement_approve"),
    path("fees/agreements/<int:pk>/shares/", views.agreement_shares, name="agreement_shares"),
    path("fees/cap-steps/", views.cap_steps, name="cap_steps"),
]
urlpatterns += [
    path("matters/<int:pk>/time/", views.time_entries, name="time"),
    path("matters/<int:pk>/time/timer/", views.timer_start, name="timer_start"),
    path("time/timer/stop/", views.timer_stop, name="timer_stop"),
    path("time/week/", views.timesheet, name="timesheet"),
]
urlpatterns += [
    path("matters/<int:pk>/expenses/", views.expenses, name="expenses"),
    path("matters/<int:pk>/client-funds/", views.client_funds, name="client_funds"),
    path("client-funds/", views.client_funds_ledger, name="client_funds_ledger"),
]
urlpatterns += [
    path("fees/statement/", views.fee_statement, name="fee_statement"),
]
urlpatterns += [
    path("fees/matters/", views.money_matters, name="money_matters"),
]
