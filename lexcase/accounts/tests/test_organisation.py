"""The administrator's first week: the firm dashboard from the home page, and teams and
practice areas set up on a page of the app (before: only Django's admin)."""

from __future__ import annotations

import pytest

from lexcase.accounts.models import PracticeArea, Team, User
from lexcase.audit.models import AuditEvent
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_admins_dashboard_leads_to_the_firm_dashboard_and_the_settings(firm):
    page = client_for(firm.admin).get("/").content.decode()
    assert '<a class="button primary" href="/insights/">律所数据看板</a>' in page
    assert '<a class="button" href="/team/organisation/">团队与业务领域</a>' in page


def test_a_partner_sees_the_firm_dashboard_link_but_not_the_settings(firm):
    page = client_for(firm.partner).get("/").content.decode()
    assert ('href="/insights/"' in page, "/team/organisation/" in page) == (True, False)
    lawyer_page = client_for(firm.lead).get("/").content.decode()
    assert ("律所数据看板" in lawyer_page, "/team/organisation/" in lawyer_page) == (False, False)


def test_the_admin_creates_a_team_with_members_and_it_is_audited(firm):
    response = client_for(firm.admin).post(
        "/team/organisation/teams/",
        {"team-name": "诉讼一部", "team-members": [firm.lead.pk, firm.assistant.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="诉讼一部")
    assert sorted(User.objects.filter(team=team).values_list("username", flat=True)) == [
        "assistant",
        "lead",
    ]
    event = AuditEvent.objects.get(action="team.create")
    assert (event.actor_id, event.data) == (
        firm.admin.pk,
        {"name": "诉讼一部", "added": ["assistant", "lead"], "removed": []},
    )
    page = client_for(firm.admin).get("/team/organisation/").content.decode()
    assert "<td>Assistant、Lead</td>" in page


def test_editing_a_team_renames_it_and_sets_its_members_exactly(firm):
    team = Team.objects.create(name="诉讼部")
    User.objects.filter(pk__in=[firm.lead.pk, firm.outsider.pk]).update(team=team)
    response = client_for(firm.admin).post(
        f"/team/organisation/teams/{team.pk}/",
        {"name": "诉讼一部", "members": [firm.lead.pk, firm.partner.pk]},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "诉讼一部"
    assert sorted(User.objects.filter(team=team).values_list("username", flat=True)) == [
        "lead",
        "partner",
    ]
    event = AuditEvent.objects.get(action="team.update")
    assert event.data == {
        "name": "诉讼一部",
        "old_name": "诉讼部",
        "added": ["partner"],
        "removed": ["outsider"],
    }


def test_a_duplicate_team_name_comes_back_with_the_error_in_chinese(firm):
    Team.objects.create(name="诉讼部")
    response = client_for(firm.admin).post("/team/organisation/teams/", {"team-name": "诉讼部"})
    assert response.status_code == 422
    assert "同名团队已存在。" in response.content.decode()
    assert Team.objects.count() == 1


def test_the_admin_creates_and_edits_a_practice_area_with_its_lawyers(firm):
    admin = client_for(firm.admin)
    response = admin.post(
        "/team/organisation/practice-areas/",
        {"area-code": "maritime", "area-name": "海事海商", "area-members": [firm.lead.pk]},
    )
    assert response.status_code == 302
    area = PracticeArea.objects.get(code="maritime")
    assert list(area.user_set.values_list("username", flat=True)) == ["lead"]
    response = admin.post(
        f"/team/organisation/practice-areas/{area.pk}/",
        {"name": "海事海商诉讼", "members": [firm.outsider.pk]},
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.code, area.name) == ("maritime", "海事海商诉讼")
    assert list(area.user_set.values_list("username", flat=True)) == ["outsider"]
    actions = list(
        AuditEvent.objects.filter(action__startswith="practice_area.")
        .order_by("pk")
        .values_list("action", "data")
    )
    assert actions == [
        (
            "practice_area.create",
            {"code": "maritime", "name": "海事海商", "added": ["lead"], "removed": []},
        ),
        (
            "practice_area.update",
            {
                "code": "maritime",
                "name": "海事海商诉讼",
                "old_name": "海事海商",
                "added": ["outsider"],
                "removed": ["lead"],
            },
        ),
    ]


def test_a_partner_may_not_change_teams(firm):
    response = client_for(firm.partner).post("/team/organisation/teams/", {"team-name": "X"})
    assert (response.status_code, Team.objects.count()) == (403, 0)
