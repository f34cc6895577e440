"""URL patterns of the money pages: bills, invoices, payments,
receivables, exports (views in
`billing/views/bills.py`)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
