"""The matter page as a lawyer reads it (walk of issue 16)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_amount_in_dispute_has_thousands_separators(firm):
    """Issue 16 item 20: ¥17,956,000.00, not ¥17956000.00 (humanize's intcomma groups
    nothing under the Chinese locale)."""
    Matter.objects.filter(pk=firm.matter.pk).update(amount=Decimal("17956000"))
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "<dd>¥17,956,000.00</dd>" in page
    Matter.objects.filter(pk=firm.matter.pk).update(amount=None)
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "¥17,956,000.00" not in page
