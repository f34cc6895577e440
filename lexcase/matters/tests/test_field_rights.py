"""Who may change which field of a matter (issue 18 item 2, issue 14 first bullet), lowering
confidentiality (the responsible partner's or an administrator's act, with a reason,
audited, on the timeline, the team notified) and mass assignment (quality bar T04)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from lexcase.accounts.models import PracticeArea, Role
from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.matters.models import CaseCause, EthicalWall, Matter, MatterMember, TimelineEntry
from lexcase.notifications.models import Notification, NotificationPreference
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def patch(user, matter_id: int, body: dict):
    version = Matter.objects.values_list("version", flat=True).get(pk=matter_id)
    return api(user).patch(
        f"/api/v1/matters/{matter_id}",
        json.dumps({"version": version, **body}),
        content_type="application/json",
    )


def changed_values() -> dict[str, object]:
    """One value per editable field, each different from the fixture matter's."""
    area, _ = PracticeArea.objects.get_or_create(code="ip", defaults={"name": "知识产权"})
    cause = CaseCause.objects.filter(parent__isnull=False).order_by("pk").first()
    assert cause is not None
    return {
        "title": "改过的标题",
        "summary": "改过的摘要",
        "court": "北京市朝阳区人民法院",
        "cause": cause.pk,
        "practice_area": area.code,
        "matter_type": "commercial_arbitration",
        "priority": "P1",
        "amount": "1000.00",
        "outcome": "调解结案",
        "confidential": True,
    }


FIELDS = (
    "title",
    "summary",
    "court",
    "cause",
    "practice_area",
    "matter_type",
    "priority",
    "amount",
    "outcome",
    "confidential",
)
EVERYONE = dict.fromkeys(FIELDS, 200)
DESCRIPTIVE = {"title", "summary", "court", "cause", "confidential"}

# The declarative rule, restated here independently of lexcase/matters/rules.py: the role
# a persona holds on the (non-confidential) fixture matter → the status of a PATCH that
# changes one field. "confidential" here is raising it, open to everyone who may edit.
EXPECTED: dict[str, dict[str, int]] = {
    "admin": EVERYONE,  # a firm administrator, not on the team
    "partner": EVERYONE,  # the responsible partner
    "lead": EVERYONE,
    "member": {f: 200 if f in DESCRIPTIVE else 403 for f in FIELDS},
    "assistant": {f: 200 if f in DESCRIPTIVE else 403 for f in FIELDS},
    "finance": {f: 200 if f in {"amount", "confidential"} else 403 for f in FIELDS},
    "partner_other": dict.fromkeys(FIELDS, 403),  # sees it, is not on the team
    "walled": dict.fromkeys(FIELDS, 404),
    "outsider": dict.fromkeys(FIELDS, 404),
}


def persona(firm, name: str):
    if name == "member":
        user = make_user("member", Role.LAWYER)
        MatterMember.objects.create(matter=firm.matter, user=user, role="member")
        return user
    if name == "finance":
        MatterMember.objects.create(matter=firm.matter, user=firm.finance, role="member")
    return getattr(firm, name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_field_rights_per_role(firm, name):
    user = persona(firm, name)
    values = changed_values()
    actual = {}
    for field in FIELDS:
        with transaction.atomic():
            response = patch(user, firm.matter.pk, {field: values[field]})
            actual[field] = response.status_code
            if response.status_code == 403:
                # Off the team: the whole edit is refused; on it: the field is named.
                named = "__all__" if name == "partner_other" else field
                assert response.json()["errors"][0]["field"] == named
                assert Matter.objects.get(pk=firm.matter.pk).version == firm.matter.version
            transaction.set_rollback(True)
    assert actual == EXPECTED[name]


def test_a_field_sent_unchanged_needs_no_right(firm):
    # Clients send back what they loaded: an unchanged value is not a change.
    response = patch(
        firm.assistant,
        firm.matter.pk,
        {"summary": "助理改的", "priority": firm.matter.priority, "matter_type": "civil"},
    )
    assert response.status_code == 200
    assert Matter.objects.get(pk=firm.matter.pk).summary == "助理改的"


def test_the_api_says_which_fields_the_caller_may_change(firm):
    lead = api(firm.lead).get(f"/api/v1/matters/{firm.confidential.pk}").json()
    partner = api(firm.partner).get(f"/api/v1/matters/{firm.confidential.pk}").json()
    assistant = api(firm.assistant).get(f"/api/v1/matters/{firm.matter.pk}").json()
    assert "confidential" not in lead["editable_fields"]
    assert "confidential" in partner["editable_fields"]
    assert assistant["editable_fields"] == ["title", "cause", "summary", "court", "confidential"]


# -- lowering confidentiality -------------------------------------------------------------

LOWERING = {
    # role on the confidential matter → status of {"confidential": false} with a reason
    "admin": 200,  # on the team, so the gate lets them reach it
    "partner": 200,  # responsible partner
    "lead": 403,
    "assistant": 403,
    "finance": 403,
    "admin_off_team": 404,  # confidential matters are members-only, administrators included
    "partner_other": 404,
    "walled": 404,
    "outsider": 404,
}


def lowering_persona(firm, name: str):
    matter = firm.confidential
    if name == "admin_off_team":
        return firm.admin
    if name in ("admin", "finance"):
        MatterMember.objects.create(matter=matter, user=getattr(firm, name), role="member")
    if name == "assistant":
        MatterMember.objects.create(matter=matter, user=firm.assistant, role="assistant")
    if name == "walled":
        EthicalWall.objects.create(matter=matter, user=firm.walled, reason="对方顾问")
    return getattr(firm, name)


@pytest.mark.parametrize("name", sorted(LOWERING))
def test_only_the_responsible_partner_or_an_admin_lowers_confidentiality(firm, name):
    user = lowering_persona(firm, name)
    response = patch(
        user, firm.confidential.pk, {"confidential": False, "confidential_reason": "x"}
    )
    assert response.status_code == LOWERING[name]
    still = Matter.objects.get(pk=firm.confidential.pk).confidential
    assert still is (response.status_code != 200)


def test_a_refused_lowering_is_audited(firm):
    response = patch(firm.lead, firm.confidential.pk, {"confidential": False})
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "confidential"
    refused = AuditEvent.objects.filter(action="matter.update_refused").values_list(
        "actor_username", "matter_id", "data"
    )
    assert list(refused) == [("lead", firm.confidential.pk, {"fields": ["confidential"]})]


def test_lowering_needs_a_reason(firm):
    for body in ({"confidential": False}, {"confidential": False, "confidential_reason": "  "}):
        response = patch(firm.partner, firm.confidential.pk, body)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["confidential_reason"]
    assert Matter.objects.get(pk=firm.confidential.pk).confidential is True
    assert not AuditEvent.objects.filter(action="matter.confidentiality_lower").exists()


def test_null_is_not_a_way_to_lower_confidentiality(firm):
    response = patch(firm.lead, firm.confidential.pk, {"confidential": None})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["confidential"]
    assert Matter.objects.get(pk=firm.confidential.pk).confidential is True


def test_lowering_is_audited_timelined_and_notified(firm, django_capture_on_commit_callbacks):
    firm.lead.email = "lead@example.com"
    firm.lead.save()
    assistant = firm.assistant
    assistant.email = "assistant@example.com"
    assistant.save()
    MatterMember.objects.create(matter=firm.confidential, user=assistant, role="assistant")
    NotificationPreference.objects.create(
        user=assistant, kind="confidentiality_lowered", email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(
            firm.partner,
            firm.confidential.pk,
            {"confidential": False, "confidential_reason": "客户同意公开委托关系"},
        )
    assert response.status_code == 200
    matter = Matter.objects.get(pk=firm.confidential.pk)
    assert matter.confidential is False
    event = AuditEvent.objects.get(action="matter.confidentiality_lower")
    assert (event.actor_username, event.matter_id, event.data) == (
        "partner",
        matter.pk,
        {"reason": "客户同意公开委托关系"},
    )
    entry = TimelineEntry.objects.get(matter=matter, kind="confidentiality_lowered")
    assert (entry.actor, entry.data) == (firm.partner, {"reason": "客户同意公开委托关系"})
    notified = Notification.objects.filter(kind="confidentiality_lowered").order_by(
        "user__username"
    )
    assert [(n.user.username, n.matter_id) for n in notified] == [
        ("assistant", matter.pk),
        ("lead", matter.pk),
    ]
    assert "客户同意公开委托关系" in notified[0].text
    # E-mail per preference: the lead gets one, the assistant turned them off.
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/")
    assert "客户同意公开委托关系" in page.content.decode()


def test_raising_is_open_to_editors_and_timelined(firm):
    response = patch(firm.assistant, firm.matter.pk, {"confidential": True})
    assert response.status_code == 200
    assert Matter.objects.get(pk=firm.matter.pk).confidential is True
    assert (
        TimelineEntry.objects.filter(matter=firm.matter, kind="confidentiality_raised").count() == 1
    )
    assert AuditEvent.objects.filter(
        action="matter.confidentiality_raise", matter_id=firm.matter.pk
    ).exists()


# -- the web edit form ----------------------------------------------------------------------


def edit_post(matter: Matter, **overrides) -> dict:
    matter.refresh_from_db()
    data = {
        "title": matter.title,
        "matter_type": matter.matter_type,
        "priority": matter.priority,
        "version": str(matter.version),
    }
    if matter.confidential:
        data["confidential"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_form_disables_what_the_user_may_not_change(firm):
    lead_form = client_for(firm.lead).get(f"/matters/{firm.confidential.pk}/edit/").context["form"]
    assert lead_form.fields["confidential"].disabled is True
    assert "confidential_reason" not in lead_form.fields
    partner_form = client_for(firm.partner).get(f"/matters/{firm.confidential.pk}/edit/")
    assert partner_form.context["form"].fields["confidential"].disabled is False
    assert "confidential_reason" in partner_form.context["form"].fields
    assistant_form = client_for(firm.assistant).get(f"/matters/{firm.matter.pk}/edit/")
    disabled = {n for n, f in assistant_form.context["form"].fields.items() if f.disabled}
    assert disabled == {"practice_area", "matter_type", "priority", "amount", "outcome"}


def test_edit_form_cannot_lower_confidentiality_for_the_lead(firm):
    # The unticked box of a disabled field is ignored: the lead's other change still saves.
    response = client_for(firm.lead).post(
        f"/matters/{firm.confidential.pk}/edit/",
        edit_post(firm.confidential, confidential=None, summary="律师改的"),
    )
    assert response.status_code == 302
    matter = Matter.objects.get(pk=firm.confidential.pk)
    assert (matter.confidential, matter.summary) == (True, "律师改的")


def test_edit_form_lowering_needs_a_reason(firm):
    client = client_for(firm.partner)
    url = f"/matters/{firm.confidential.pk}/edit/"
    response = client.post(url, edit_post(firm.confidential, confidential=None))
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["confidential_reason"]
    assert Matter.objects.get(pk=firm.confidential.pk).confidential is True
    response = client.post(
        url, edit_post(firm.confidential, confidential=None, confidential_reason="客户同意")
    )
    assert response.status_code == 302
    assert Matter.objects.get(pk=firm.confidential.pk).confidential is False
    assert AuditEvent.objects.filter(action="matter.confidentiality_lower").count() == 1


# -- mass assignment (quality bar T04): the API rejects unknown fields, the form ignores them --

EXTRA_FIELDS = {
    "firm": 2,
    "owner": "admin",
    "acl": ["outsider"],
    "is_admin": True,
    "created_by": 1,
    "number": "2099-民-9999",
    "status": "archived",
    "stage": "concluded",
    "id": 999,
    "created_at": "2020-01-01T00:00:00+08:00",
}


def test_patch_with_extra_fields_is_422_and_changes_nothing(firm):
    before = Matter.objects.values().get(pk=firm.matter.pk)
    for field, value in EXTRA_FIELDS.items():
        response = patch(firm.partner, firm.matter.pk, {"title": "不应保存", field: value})
        assert response.status_code == 422, field
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Matter.objects.values().get(pk=firm.matter.pk) == before


def test_post_with_extra_fields_is_422_and_creates_nothing(firm):
    count = Matter.objects.count()
    for field, value in {**EXTRA_FIELDS, "version": 7}.items():
        response = api(firm.lead).post(
            "/api/v1/matters",
            json.dumps({"title": "新案件", "matter_type": "civil", field: value}),
            content_type="application/json",
        )
        assert response.status_code == 422, field
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Matter.objects.count() == count


def test_patch_cannot_set_the_version(firm):
    version = firm.matter.version
    response = api(firm.partner).patch(
        f"/api/v1/matters/{firm.matter.pk}",
        json.dumps({"version": version + 100, "title": "跳版本"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Matter.objects.get(pk=firm.matter.pk).version == version


def test_edit_form_ignores_extra_fields(firm):
    before = Matter.objects.values("number", "status", "stage", "created_by_id").get(
        pk=firm.matter.pk
    )
    extra = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in EXTRA_FIELDS.items()}
    response = client_for(firm.partner).post(
        f"/matters/{firm.matter.pk}/edit/", edit_post(firm.matter, title="表单改的", **extra)
    )
    assert response.status_code == 302
    after = Matter.objects.values("number", "status", "stage", "created_by_id", "title").get(
        pk=firm.matter.pk
    )
    assert after == {**before, "title": "表单改的"}


def test_admin_off_the_team_who_makes_a_matter_confidential_lands_on_the_list(firm):
    response = client_for(firm.admin).post(
        f"/matters/{firm.matter.pk}/edit/", edit_post(firm.matter, confidential="on")
    )
    assert (response.status_code, response["Location"]) == (302, "/matters/")
    assert Matter.objects.get(pk=firm.matter.pk).confidential is True
    assert client_for(firm.admin).get(f"/matters/{firm.matter.pk}/").status_code == 404
