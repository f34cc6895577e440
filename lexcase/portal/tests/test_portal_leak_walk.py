"""Nothing of a matter reaches a portal contact it was not shared with: the firm's internal
records of client A's matter (each with a marker: `core.tests.test_read_audit.plant_records`)
and one record shared with client A (a hearing shown to the client, a shared document), then
every GET row of the portal's table (pages, downloads, the portal API) requested as client A
and as client B (王伟, the *opposing* party on A's matter, a client of the firm on another):
neither sees an internal record; only A sees the shared ones; B never sees A's matter's
title (docs/security.md, "Probe of 2026-12-07"). Bills (pages and API): neither sees what
billing keeps to itself nor a void bill; B never sees A's bill, nor A B's bill or matter."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from lexcase.calendar.models import Hearing
from lexcase.core.tests.test_read_audit import MARKERS, plant_records
from lexcase.documents.models import Document
from lexcase.portal.tests.factories import build_world
from lexcase.portal.tests.test_portal_access import ROWS, portal_client, portal_request
from lexcase.testing import readable, use_document_store

SHARED = ("MARKsharedhearing", "MARKshareddoc")
BILLING_INTERNAL = ("华泰科技财务部", "内部流水 88", "财务内部备注", "内部草稿工时", "开错了")


def get_rows() -> list[str]:
    return sorted(k for k, r in ROWS.items() if r.method == "GET")


@pytest.mark.django_db
@pytest.mark.parametrize("key", get_rows())
def test_a_client_sees_only_what_was_shared_with_it(firm, settings, tmp_path: Path, key):
    use_document_store(settings, tmp_path / "store")
    world = build_world(firm)
    plant_records(firm)
    Hearing.objects.create(
        matter=world.a_matter,
        court="北京市朝阳区人民法院",
        courtroom=SHARED[0],  # the portal shows a hearing's court and room
        starts_at=timezone.now() + timedelta(days=5),
        client_visible=True,
    )
    if world.a_shared is not None:
        Document.objects.filter(pk=world.a_shared.pk).update(title=SHARED[1])
    row = ROWS[key]
    shown = {}
    for persona in ("client_a", "client_b"):
        with transaction.atomic():
            response = portal_request(world, persona, row, portal_client(world, persona))
            text = readable(response)
            transaction.set_rollback(True)
        if key == "matter A" and persona == "client_a":
            # The walk sees what a client is shown: the shared hearing is on A's page.
            assert SHARED[0] in text
        wrong = [m for m in MARKERS if m in text]
        # What billing keeps to itself: a payment's payer, reference and note, the work not
        # billed yet, a void bill's reason and number.
        wrong += [m for m in (*BILLING_INTERNAL, world.a_void.number) if m in text]
        if persona == "client_b":
            wrong += [m for m in (*SHARED, world.a_matter.title, world.a_bill.number) if m in text]
        if persona == "client_a":
            wrong += [m for m in (world.b_bill.number, world.b_matter.title) if m in text]
        if wrong:
            shown[persona] = (response.status_code, wrong)
    assert shown == {}, key
