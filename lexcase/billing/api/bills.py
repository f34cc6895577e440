"""/api/v1 for bills, invoices, payments and receivables (`GET/POST /bills`,
`POST /bills/{id}/issue`, `POST /bills/{id}/void`, `POST /payments`, `GET /receivables`)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["bills"])
