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
urlpatterns += [
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/new/", views.payment_record, name="payment_record"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment_allocate"),
    path("payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
]
urlpatterns += [
    path("bills/<int:pk>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("receivables/", views.receivable_list, name="receivable_list"),
]
urlpatterns += [
    path("bills/<int:pk>/invoices/", views.bill_invoice, name="bill_invoice"),
    path(
        "bills/<int:pk>/invoices/<int:invoice_pk>/reverse/",
        views.invoice_reverse,
        name="invoice_reverse",
    ),
]
urlpatterns += [
    path("bills/export.xlsx", views.bill_export, name="bill_export"),
    path("payments/export.xlsx", views.payment_export, name="payment_export"),
    path("receivables/export.xlsx", views.receivable_export, name="receivable_export"),
]
