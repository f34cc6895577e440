"""The money pages, one module of URL patterns per area joined here (each area edits only its
own): `work` — agreements, time, timesheets, expenses, client funds, fee statements;
`bills` — bills, invoices, payments, receivables, exports."""

from __future__ import annotations

from lexcase.billing.urls import bills, work

app_name = "billing"

urlpatterns = [*work.urlpatterns, *bills.urlpatterns]
