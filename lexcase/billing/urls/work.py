"""URL patterns of the money pages: agreements, time, timesheets,
expenses, client funds, fee statements (views in
`billing/views/work.py`)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
