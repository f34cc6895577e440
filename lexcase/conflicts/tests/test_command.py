from __future__ import annotations

import pytest
from django.core.management import call_command

from lexcase.conflicts.models import PartyKey

pytestmark = pytest.mark.django_db


def test_reindex_command_rebuilds_the_index(firm, capsys):
    PartyKey.objects.all().delete()
    call_command("conflicts", "reindex")
    assert capsys.readouterr().out.startswith("indexed 3 parties")
    assert PartyKey.objects.filter(key_type="credit_code", value="91350200776049653A").count() == 1
