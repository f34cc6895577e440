"""PIPL: a copy of everything held about one person, as JSON and PDF (T20, part)."""

from __future__ import annotations

import json

from lexcase.audit.models import AuditEvent
from lexcase.matters.models import MatterParty
from lexcase.parties.models import PartyAlias
from lexcase.testing import client_for


def test_a_partner_exports_a_person_as_json_with_matters_aliases_and_the_processing_record(firm):
    person = firm.opposing_party
    person.id_number = "11010519491231002X"
    person.phone = "13800138000"
    person.save()
    PartyAlias.objects.create(party=person, name="王小伟")
    # The same person on the confidential matter, which the admin is not on: not exported.
    MatterParty.objects.create(matter=firm.confidential, party=person, role="opposing")

    response = client_for(firm.admin).get(f"/parties/{person.pk}/personal-data.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    export = json.loads(response.content)
    assert export["person"]["name"] == "王伟"
    assert export["person"]["id_number"] == "11010519491231002X"
    assert export["person"]["phone"] == "13800138000"
    assert "name_normalized" not in export["person"]
    assert [a["name"] for a in export["aliases"]] == ["王小伟"]
    assert [m["number"] for m in export["matters"]] == [firm.matter.number]
    assert firm.confidential.number not in response.content.decode()
    assert any(e["action"].startswith("party.") for e in export["processing_record"])
    # The export itself is on the record.
    event = AuditEvent.objects.get(action="party.personal_data_export")
    assert event.actor_username == "admin"
    assert event.object_id == str(person.pk)


def test_the_responsible_partner_sees_the_confidential_matter_in_the_export(firm):
    person = firm.opposing_party
    MatterParty.objects.create(matter=firm.confidential, party=person, role="opposing")
    export = json.loads(
        client_for(firm.partner).get(f"/parties/{person.pk}/personal-data.json").content
    )
    assert {m["number"] for m in export["matters"]} == {
        firm.matter.number,
        firm.confidential.number,
    }


def test_the_pdf_export_is_a_pdf_and_is_audited(firm):
    response = client_for(firm.partner).get(f"/parties/{firm.client_party.pk}/personal-data.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="party.personal_data_export").count() == 1


def test_lawyers_may_not_export_and_nothing_is_recorded(firm):
    response = client_for(firm.lead).get(f"/parties/{firm.client_party.pk}/personal-data.json")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="party.personal_data_export").exists()


def test_a_walled_partner_gets_404(firm):
    response = client_for(firm.walled).get(f"/parties/{firm.client_party.pk}/personal-data.json")
    assert response.status_code == 404
