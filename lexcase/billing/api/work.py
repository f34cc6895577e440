"""/api/v1 for fee agreements, time entries, expenses, client funds and fee allocation
(`GET/POST /matters/{id}/fee-agreements`, `/time-entries`, `/expenses`, …)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["fees"])
