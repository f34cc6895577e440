"""Periods that run from the day a document takes effect (issue 16 item 1), versioned
set-aside periods and preservation expiries (item 11a)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lexcase.accounts.services import api_token_create
from lexcase.calendar import services
from lexcase.calendar.models import Deadline, ServedDocument
from lexcase.matters.models import Matter
from lexcase.matters.services import matter_open
from lexcase.testing import approve_intake

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(480)


@pytest.fixture
def opened(firm):
    approve_intake(firm.matter, firm.partner)
    matter_open(actor=firm.partner, matter=firm.matter)
    Matter.objects.filter(pk=firm.matter.pk).update(stage="first_instance")
    firm.matter.refresh_from_db()
    return firm


def set_matter(firm, **fields) -> Matter:
    Matter.objects.filter(pk=firm.matter.pk).update(**fields)
    firm.matter.refresh_from_db()
    return firm.matter


def serve(firm, kind="judgment", on=date(2025, 9, 16), **extra):
    return services.served_document_record(
        actor=firm.lead, matter=firm.matter, kind=kind, service_date=on, method="direct", **extra
    )


def rule_ids(proposals) -> list[str]:
    return [d.rule_id for d in proposals]


@time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=SHANGHAI))
def test_first_instance_judgment_proposes_only_the_appeal_period(opened):
    doc, proposals = serve(opened)
    assert rule_ids(proposals) == ["civil.appeal.judgment"]
    assert (doc.final, doc.effective_date, doc.awaits_effect) == (False, None, True)


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_no_appeal_recorded_proposes_retrial_and_enforcement_from_the_day_after(opened):
    doc, _ = serve(opened)  # appeal period ends 2025-10-09 (National Day moves it)
    doc, proposals = services.served_document_effective(actor=opened.lead, document=doc)
    assert doc.effective_date == date(2025, 10, 10)
    assert doc.effective_basis == "no_challenge"
    by_rule = {d.rule_id: d for d in proposals}
    assert sorted(by_rule) == ["civil.enforcement", "civil.retrial"]
    retrial = by_rule["civil.retrial"]
    assert (retrial.trigger_date, retrial.due_date) == (date(2025, 10, 10), date(2026, 4, 10))
    assert retrial.explanation[0] == (
        "生效：判决书于2025-09-16送达，上诉（异议）期届满未上诉（异议），"
        "于2025-10-10发生法律效力（承办律师确认）。"
    )
    assert "起算：判决、裁定发生法律效力之日（2025-10-10）不计入，期间自次日起算。" in (
        retrial.explanation
    )
    assert by_rule["civil.enforcement"].trigger_date == date(2025, 10, 10)
    entry = opened.matter.timeline.get(kind="served_effective")
    assert entry.data == {"kind": "judgment", "date": "2025-10-10", "proposed": 2}


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_effective_date_follows_a_corrected_appeal_deadline(opened):
    doc, proposals = serve(opened)
    appeal = proposals[0]
    services.deadline_confirm(actor=opened.lead, deadline=appeal, due_date=date(2025, 10, 13))
    doc, _ = services.served_document_effective(actor=opened.lead, document=doc)
    assert doc.effective_date == date(2025, 10, 14)


@time_machine.travel(datetime(2025, 9, 25, 9, 0, tzinfo=SHANGHAI))
def test_no_appeal_cannot_be_recorded_before_the_appeal_period_ends(opened):
    doc, _ = serve(opened)
    with pytest.raises(ValidationError) as exc:
        services.served_document_effective(actor=opened.lead, document=doc)
    assert list(exc.value.message_dict) == ["effective_date"]
    doc.refresh_from_db()
    assert doc.effective_date is None
    assert Deadline.objects.filter(rule_id="civil.retrial").count() == 0


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_effective_date_recorded_once_and_not_before_service(opened):
    doc, _ = serve(opened)
    with pytest.raises(ValidationError):
        services.served_document_effective(
            actor=opened.lead, document=doc, effective_date=date(2025, 9, 1)
        )
    services.served_document_effective(actor=opened.lead, document=doc)
    with pytest.raises(ValidationError):
        services.served_document_effective(actor=opened.lead, document=doc)
    assert Deadline.objects.filter(rule_id="civil.retrial").count() == 1


@time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=SHANGHAI))
def test_second_instance_judgment_is_final_and_runs_from_service(opened):
    set_matter(opened, stage="second_instance")
    doc, proposals = serve(opened)
    assert (doc.final, doc.effective_date, doc.effective_basis) == (
        True,
        date(2025, 9, 16),
        "final_on_service",
    )
    by_rule = {d.rule_id: d for d in proposals}
    assert sorted(by_rule) == ["civil.enforcement", "civil.retrial"]
    assert by_rule["civil.retrial"].due_date == date(2026, 3, 16)
    assert by_rule["civil.retrial"].explanation[0] == (
        "生效：判决书为生效法律文书，自送达之日（2025-09-16）起发生法律效力。"
    )


@time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=SHANGHAI))
def test_lawyer_overrides_finality(opened):
    set_matter(opened, stage="second_instance")
    _doc, proposals = serve(opened, final=False)
    assert rule_ids(proposals) == ["civil.appeal.judgment"]
    _doc, proposals = serve(opened, final=True, on=date(2025, 9, 17))
    assert "civil.appeal.judgment" not in rule_ids(proposals)


@pytest.mark.parametrize(
    ("received", "rule_id", "due"),
    [
        (date(2026, 2, 27), "arbitration.set_aside", date(2026, 8, 27)),
        (date(2026, 3, 2), "arbitration.set_aside.2025", date(2026, 6, 2)),
    ],
)
def test_set_aside_period_follows_the_law_in_force_when_the_award_was_received(
    opened, received, rule_id, due
):
    set_matter(opened, matter_type="commercial_arbitration", stage="arbitration")
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)):
        doc, proposals = serve(opened, kind="award", on=received)
    by_rule = {d.rule_id: d for d in proposals}
    assert sorted(by_rule) == sorted([rule_id, "civil.enforcement"])
    assert by_rule[rule_id].due_date == due
    assert doc.final is True


@time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=SHANGHAI))
def test_labour_award_not_final_proposes_only_the_suit_period(opened):
    set_matter(opened, matter_type="labor_arbitration", stage="arbitration")
    _doc, proposals = serve(opened, kind="award")
    assert rule_ids(proposals) == ["labor.suit_after_award"]
    _doc, proposals = serve(opened, kind="award", final=True, on=date(2025, 9, 17))
    assert sorted(rule_ids(proposals)) == [
        "civil.enforcement",
        "labor.set_aside_final_award",
        "labor.worker_suit_after_final_award",
    ]


@time_machine.travel(datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI))
@pytest.mark.parametrize(
    ("kind", "expiry", "reminder"),
    [
        ("preservation_deposit", date(2027, 1, 15), date(2026, 12, 16)),
        ("preservation_movable", date(2028, 1, 15), date(2027, 12, 16)),
        ("preservation_property", date(2029, 1, 15), date(2028, 12, 16)),
    ],
)
def test_preservation_expiry_with_renewal_reminder(opened, kind, expiry, reminder):
    _doc, proposals = serve(opened, kind=kind, on=date(2026, 1, 15))
    assert [(d.rule_id, d.due_date) for d in proposals] == [
        (f"civil.preservation.{kind.split('_')[1]}", expiry),
        ("", reminder),
    ]
    assert proposals[1].title.startswith("申请续行")
    assert proposals[1].explanation[1].startswith("提前30日提醒")


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_recompute_keeps_the_effective_step(opened):
    doc, _ = serve(opened)
    services.served_document_effective(actor=opened.lead, document=doc)
    services.deadlines_recompute(actor=None)
    retrial = Deadline.objects.get(rule_id="civil.retrial")
    assert retrial.explanation[0].startswith("生效：判决书于2025-09-16送达")


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_api_records_no_appeal_and_keeps_walls(opened):
    doc, _ = serve(opened)
    _t, raw = api_token_create(user=opened.lead, name="t")
    lead = Client(headers={"Authorization": f"Bearer {raw}"})
    _t, raw = api_token_create(user=opened.walled, name="t")
    walled = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/served-documents/{doc.pk}/effective"
    assert walled.post(url, {}, content_type="application/json").status_code == 404
    response = lead.post(url, {}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["final"], body["effective_date"]) == (doc.pk, False, "2025-10-10")
    assert sorted(p["rule"] for p in body["proposals"]) == ["civil.enforcement", "civil.retrial"]
    again = lead.post(url, {}, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "effective_date"


@time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
def test_matter_page_offers_no_appeal_and_the_form_records_it(opened):
    doc, _ = serve(opened)
    client = Client()
    client.force_login(opened.lead)
    page = client.get(f"/matters/{opened.matter.pk}/").content.decode()
    assert f"/served/{doc.pk}/effective/" in page
    response = client.post(f"/served/{doc.pk}/effective/", {"effective_date": ""})
    assert response.status_code == 302
    assert ServedDocument.objects.get(pk=doc.pk).effective_date == date(2025, 10, 10)
