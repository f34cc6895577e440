"""The ad-hoc check can record the consultation, so its parties count in later checks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from lexcase.audit.models import AuditEvent
from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.models import ConflictCheck
from lexcase.conflicts.services import conflict_check_record
from lexcase.matters.models import Matter, MatterParty
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

# 00:30 in Shanghai is still the previous day in UTC: the closing date is the civil date.
AT = datetime(2026, 11, 30, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def post_check(client, rows, record: bool):
    data = {"parties-TOTAL_FORMS": str(len(rows)), "parties-INITIAL_FORMS": "0"}
    for i, (name, kind, role, identifier) in enumerate(rows):
        data |= {
            f"parties-{i}-name": name,
            f"parties-{i}-kind": kind,
            f"parties-{i}-role": role,
            f"parties-{i}-identifier": identifier,
        }
    if record:
        data["consultation-record"] = "on"
    with translation.override("en"):
        return client.post("/conflicts/check/", data, follow=True)


def test_recording_creates_a_closed_consultation_that_later_checks_find(firm):
    rows = [
        ("孙大圣", "person", "client", ""),
        ("花果山实业有限公司", "organization", "opposing", ""),
    ]
    with time_machine.travel(AT, tick=False):
        response = post_check(client_for(firm.lead), rows, record=True)
    matter = Matter.objects.get(matter_type="consultation")
    # Redirected to the recorded report, so a reload cannot record it twice.
    assert response.redirect_chain == [(f"/conflicts/check/?consultation={matter.pk}", 302)]
    assert (matter.status, matter.opened_on, matter.closed_on) == (
        "closed",
        date(2026, 11, 30),
        date(2026, 11, 30),
    )
    assert list(matter.members.values_list("user__username", "role")) == [("lead", "lead")]
    assert list(
        MatterParty.objects.filter(matter=matter)
        .order_by("id")
        .values_list("party__name", "party__kind", "role")
    ) == [("孙大圣", "person", "client"), ("花果山实业有限公司", "organization", "opposing")]
    body = response.content.decode()
    assert f'href="/matters/{matter.pk}/"' in body
    assert matter.number in body
    # The report shown is the consultation's own frozen check.
    check = response.context["conflict_check"]
    assert (check.matter, check.requested_by) == (matter, firm.lead)
    event = AuditEvent.objects.get(action="conflict.consultation_record")
    assert (event.actor, event.matter_id, event.data) == (
        firm.lead,
        matter.pk,
        {"parties": 2, "check": check.pk},
    )
    # A later check of the same company finds the consultation.
    later = conflict_check_record(
        actor=firm.partner,
        parties=[QueryParty(name="花果山实业有限公司", kind="organization", role="client")],
    )
    assert [(h["matter_id"], h["role_on_matter"]) for h in later.hits] == [(matter.pk, "opposing")]


def test_without_the_option_nothing_is_recorded_but_the_check(firm):
    response = post_check(client_for(firm.lead), [("孙大圣", "person", "client", "")], record=False)
    assert response.status_code == 200
    assert Matter.objects.filter(matter_type="consultation").count() == 0
    assert response.context["consultation"] is None
    assert ConflictCheck.objects.filter(matter=None).count() == 1


def test_a_bad_identifier_is_a_field_error_and_nothing_is_recorded(firm):
    checks = ConflictCheck.objects.count()
    response = post_check(
        client_for(firm.lead),
        [("孙大圣", "person", "client", ""), ("猪八戒", "person", "opposing", "123")],
        record=True,
    )
    assert response.status_code == 422
    forms = response.context["formset"].forms
    assert (list(forms[0].errors), list(forms[1].errors)) == ([], ["identifier"])
    assert Matter.objects.filter(matter_type="consultation").count() == 0
    assert ConflictCheck.objects.count() == checks


def test_an_assistant_records_a_consultation_without_leading_it(firm, settings):
    # Assistants run ad-hoc checks only where the firm allows it (not by default).
    assert client_for(firm.assistant).get("/conflicts/check/").status_code == 403
    settings.LEXCASE_CONFLICT_CHECK_ROLES = ["lawyer", "partner", "admin", "assistant"]
    post_check(client_for(firm.assistant), [("孙大圣", "person", "client", "")], record=True)
    matter = Matter.objects.get(matter_type="consultation")
    assert list(matter.members.values_list("user__username", "role")) == [
        ("assistant", "assistant")
    ]


def test_finance_cannot_record(firm):
    response = post_check(client_for(firm.finance), [("孙大圣", "person", "client", "")], True)
    assert response.status_code == 403
    assert Matter.objects.filter(matter_type="consultation").count() == 0


def test_the_recorded_report_is_shown_only_to_who_may_see_the_consultation(firm):
    post_check(client_for(firm.lead), [("孙大圣", "person", "client", "")], record=True)
    matter = Matter.objects.get(matter_type="consultation")
    url = f"/conflicts/check/?consultation={matter.pk}"
    assert client_for(firm.lead).get(url).context["conflict_check"].matter == matter
    assert client_for(firm.outsider).get(url).status_code == 404
    # Only consultations are shown here; other matters have their own page.
    assert (
        client_for(firm.lead).get(f"/conflicts/check/?consultation={firm.matter.pk}").status_code
        == 404
    )


def test_a_refused_check_answers_422_with_the_rows_as_typed(firm):
    """No name, or an identifier with a wrong check digit: the rows as typed, each error
    beside its field, nothing checked or recorded (422); before, 200 and the "no name"
    refusal a message away from the form."""
    client = client_for(firm.lead)
    empty = post_check(client, [("", "person", "client", "")], record=False)
    assert empty.status_code == 422
    assert list(empty.context["formset"].forms[0].errors) == ["name"]
    wrong = post_check(client, [("孙大圣", "person", "client", "110105198001011230")], record=True)
    assert wrong.status_code == 422
    assert "110105198001011230" in wrong.content.decode()
    assert not Matter.objects.filter(matter_type="consultation").exists()
