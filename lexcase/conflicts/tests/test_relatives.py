"""Relatives of the firm's staff: each person keeps their own list; checks flag them."""

from __future__ import annotations

import pytest

from lexcase.audit.models import AuditEvent
from lexcase.conflicts.engine import QueryParty, staff_relative_add
from lexcase.conflicts.models import NameGram, PartyKey, StaffRelative
from lexcase.conflicts.verdicts import conflict_check
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def add(client, **data):
    return client.post(
        "/conflicts/relatives/",
        {f"relative-{k}": v for k, v in data.items() if k != "user"}
        | ({"user": data["user"]} if "user" in data else {}),
    )


def relative_hits(name: str, role: str = "opposing") -> list[tuple[str, str]]:
    hits = conflict_check([QueryParty(name=name, kind="person", role=role)]).hits
    return [(h.party_name, h.verdict) for h in hits if h.relative_id is not None]


def test_a_staff_member_records_a_relative_and_checks_flag_it(firm):
    response = add(
        client_for(firm.outsider),
        name="林 小芳",
        kind="person",
        relation="spouse",
        id_number=ID_NUMBER.lower(),
    )
    assert response.status_code == 302
    relative = StaffRelative.objects.get()
    assert (relative.user, relative.name, relative.relation, relative.id_number) == (
        firm.outsider,
        "林 小芳",
        "spouse",
        ID_NUMBER,
    )
    assert relative_hits("林小芳") == [("林 小芳", "consent_required")]
    event = AuditEvent.objects.get(action="conflict.relative_add")
    assert (event.actor, event.object_id, event.data["user"]) == (
        firm.outsider,
        str(relative.pk),
        "outsider",
    )


def test_bad_input_is_a_field_error_and_records_nothing(firm):
    client = client_for(firm.outsider)
    response = add(client, name="林小芳", kind="person", relation="spouse", id_number="123")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["id_number"]
    response = add(client, name="", kind="person", relation="cousin")
    assert sorted(response.context["form"].errors) == ["name", "relation"]
    assert StaffRelative.objects.count() == 0


def test_the_page_lists_only_ones_own_relatives(firm):
    staff_relative_add(user=firm.lead, name="陈母", relation="parent")
    staff_relative_add(user=firm.outsider, name="赵父", relation="parent")
    response = client_for(firm.outsider).get("/conflicts/relatives/")
    assert [r.name for r in response.context["relatives"]] == ["赵父"]
    assert response.context["staff"] is None


def test_only_an_administrator_manages_someone_elses_relatives(firm):
    assert (
        client_for(firm.lead).get(f"/conflicts/relatives/?user={firm.outsider.pk}").status_code
        == 403
    )
    response = add(
        client_for(firm.lead), user=firm.outsider.pk, name="钱某", kind="person", relation="other"
    )
    assert response.status_code == 403
    assert StaffRelative.objects.count() == 0

    admin = client_for(firm.admin)
    response = add(admin, user=firm.outsider.pk, name="钱某", kind="person", relation="other")
    assert response.status_code == 302
    assert response["Location"] == f"/conflicts/relatives/?user={firm.outsider.pk}"
    assert list(StaffRelative.objects.values_list("user__username", "name")) == [
        ("outsider", "钱某")
    ]
    page = admin.get(f"/conflicts/relatives/?user={firm.outsider.pk}")
    assert [r.name for r in page.context["relatives"]] == ["钱某"]
    assert page.context["owner"] == firm.outsider


def test_removing_a_relative_takes_it_out_of_the_index(firm):
    relative = staff_relative_add(user=firm.outsider, name="林小芳", relation="spouse")
    assert relative_hits("林小芳") == [("林小芳", "consent_required")]
    # Nobody else (but an administrator) can remove it: to them it does not exist.
    assert (
        client_for(firm.lead).post(f"/conflicts/relatives/{relative.pk}/remove/").status_code == 404
    )
    assert StaffRelative.objects.filter(pk=relative.pk).exists()

    response = client_for(firm.outsider).post(f"/conflicts/relatives/{relative.pk}/remove/")
    assert response.status_code == 302
    assert StaffRelative.objects.filter(pk=relative.pk).exists() is False
    assert PartyKey.objects.filter(relative_id=relative.pk).count() == 0
    assert NameGram.objects.filter(relative_id=relative.pk).count() == 0
    assert relative_hits("林小芳") == []
    event = AuditEvent.objects.get(action="conflict.relative_remove")
    assert (event.actor, event.object_id) == (firm.outsider, str(relative.pk))


def test_an_administrator_removes_anyones_relative(firm):
    relative = staff_relative_add(user=firm.lead, name="陈母", relation="parent")
    response = client_for(firm.admin).post(f"/conflicts/relatives/{relative.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"/conflicts/relatives/?user={firm.lead.pk}"
    assert StaffRelative.objects.count() == 0


def test_an_administrator_picks_whose_list_to_manage(firm):
    page = client_for(firm.admin).get("/conflicts/relatives/")
    assert page.context["owner"] == firm.admin
    staff = [u.username for u in page.context["staff"]]
    assert "outsider" in staff and "inactive" not in staff
    assert client_for(firm.admin).get("/conflicts/relatives/?user=999999").status_code == 404
