"""URL patterns of the money pages: bills, invoices, payments,
receivables, exports (views in
`billing/views/bills.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from lexcase.billing.views import bills as views

urlpatterns: list[URLPattern] = [
    path("bills/", views.bill_list, name="bill_list"),
    path("bills/new/", views.bill_draw, name="bill_draw"),
    path("bills/<int:pk>/", views.bill_detail, name="bill_detail"),
    path("bills/<int:pk>/issue/", views.bill_issue, name="bill_issue"),
    path("bills/<int:pk>/void/", views.bill_void, name="bill_void"),
]
