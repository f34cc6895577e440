"""The dashboard's shared scope (`matters_visible_in_bulk`, `insight_scope`) is exactly the
gate: the same matters as `matters_visible_to` for every reader, filtered the same way — a
fixed firm with a walled lawyer and a confidential matter, then random firms against the
plain-Python oracle of the gate property test."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from lexcase.accounts.models import PracticeArea, Role, Team, User
from lexcase.insights.selectors import FIRM, PERSONAL, InsightFilters, insight_scope
from lexcase.matters.models import EthicalWall, Matter, MatterMember
from lexcase.matters.selectors import matters_visible_in_bulk, matters_visible_to

# The same random firms and the same plain-Python oracle as the gate property test.
from lexcase.matters.tests.test_gate_properties import firms, oracle
from lexcase.testing import make_user

PERIOD = dict(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))


def ids(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


@pytest.fixture
def firm(db):
    team_a, team_b = Team.objects.create(name="诉讼一部"), Team.objects.create(name="非诉部")
    area = PracticeArea.objects.create(code="lit", name="争议解决")
    u = {
        "partner": make_user("partner", Role.PARTNER, team=team_a),
        "partner_on_secret": make_user("partner2", Role.PARTNER, team=team_b),
        "admin": make_user("admin", Role.ADMIN),
        "lawyer": make_user("lawyer", Role.LAWYER, team=team_a),
        "walled_lawyer": make_user("walled", Role.LAWYER, team=team_b),
        "walled_partner": make_user("wpartner", Role.PARTNER),
        "finance": make_user("finance", Role.FINANCE),
        "inactive": make_user("gone", Role.PARTNER, is_active=False),
        "client": make_user("client", Role.CLIENT),
    }

    def matter(number, members, *, confidential=False, walls=(), area_=None):
        m = Matter.objects.create(
            number=number, title=number, matter_type="civil", confidential=confidential,
            practice_area=area_,
        )  # fmt: skip
        for name in members:
            MatterMember.objects.create(matter=m, user=u[name], role="member")
        for name in walls:
            EthicalWall.objects.create(matter=m, user=u[name], reason="对方旧客户")
        return m

    matter("OPEN", ["lawyer"], area_=area)
    # The walled lawyer is on the team of WALLED and still must not see it.
    matter("WALLED", ["lawyer", "walled_lawyer"], walls=["walled_lawyer", "walled_partner"])
    matter("SECRET", ["lawyer", "partner_on_secret"], confidential=True, area_=area)
    matter("SECRET_WALLED", ["walled_lawyer"], confidential=True, walls=["walled_lawyer"])
    matter("NOBODY", [])
    matter("SECRET_NOBODY", [], confidential=True)
    matter("INACTIVE_ON", ["inactive"], confidential=True)
    return u, team_a, team_b, area


EXPECTED = {
    "partner": {"OPEN", "WALLED", "NOBODY"},
    "partner_on_secret": {"OPEN", "WALLED", "SECRET", "NOBODY"},
    "admin": {"OPEN", "WALLED", "NOBODY"},
    "lawyer": {"OPEN", "WALLED", "SECRET"},
    "walled_lawyer": set(),
    "walled_partner": {"OPEN", "NOBODY"},
    "finance": set(),
    "inactive": set(),
    "client": set(),
}


def test_bulk_gate_is_the_gate_for_every_reader(firm):
    users = firm[0]
    for name, user in users.items():
        assert ids(matters_visible_in_bulk(user)) == EXPECTED[name], name
        assert ids(matters_visible_in_bulk(user)) == ids(matters_visible_to(user)), name


def test_personal_scope_is_the_gate_and_membership(firm):
    users = firm[0]
    f = InsightFilters(**PERIOD)
    assert ids(insight_scope(user=users["lawyer"], kind=PERSONAL, filters=f)) == {
        "OPEN", "WALLED", "SECRET"
    }  # fmt: skip
    assert ids(insight_scope(user=users["partner_on_secret"], kind=PERSONAL, filters=f)) == {
        "SECRET"
    }
    assert ids(insight_scope(user=users["partner"], kind=PERSONAL, filters=f)) == set()
    # On WALLED and SECRET_WALLED, walled off both.
    assert ids(insight_scope(user=users["walled_lawyer"], kind=PERSONAL, filters=f)) == set()


def test_firm_scope_filters_never_widen_the_gate(firm):
    users, team_a, team_b, area = firm
    partner, admin = users["partner"], users["admin"]
    f = InsightFilters(**PERIOD, lawyer=users["lawyer"].pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"OPEN", "WALLED"}
    f = InsightFilters(**PERIOD, lawyer=users["walled_lawyer"].pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"WALLED"}
    f = InsightFilters(**PERIOD, team=team_b.pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"WALLED"}
    assert ids(insight_scope(user=users["partner_on_secret"], kind=FIRM, filters=f)) == {
        "WALLED", "SECRET"
    }  # fmt: skip
    assert ids(insight_scope(user=users["walled_partner"], kind=FIRM, filters=f)) == set()
    f = InsightFilters(**PERIOD, practice_area=area.pk)
    assert ids(insight_scope(user=admin, kind=FIRM, filters=f)) == {"OPEN"}
    f = InsightFilters(**PERIOD, practice_area=area.pk, team=team_a.pk)
    assert ids(insight_scope(user=users["lawyer"], kind=PERSONAL, filters=f)) == {
        "OPEN", "SECRET"
    }  # fmt: skip


class BulkGateProperties(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(firm=firms)
    def test_bulk_gate_and_scopes_match_the_oracle(self, firm):
        users = [
            User.objects.create(username=f"u{i}", role=role, is_active=active)
            for i, (role, active) in enumerate(firm["users"])
        ]
        matters = []
        for j, spec in enumerate(firm["matters"]):
            matter = Matter.objects.create(
                number=f"T-{j}", title=f"案件{j}", matter_type="civil",
                confidential=spec["confidential"],
            )  # fmt: skip
            for i in spec["members"]:
                if i < len(users):
                    MatterMember.objects.create(matter=matter, user=users[i], role="member")
            for i in spec["walls"]:
                if i < len(users):
                    EthicalWall.objects.create(matter=matter, user=users[i], reason="x")
            matters.append(matter)
        f = InsightFilters(**PERIOD)
        for i, user in enumerate(users):
            expected = {
                m.number
                for m, spec in zip(matters, firm["matters"], strict=True)
                if oracle(user, spec, i)
            }
            on = {m.number for m, spec in zip(matters, firm["matters"], strict=True)
                  if i in spec["members"]}  # fmt: skip
            assert ids(matters_visible_in_bulk(user)) == expected
            assert ids(insight_scope(user=user, kind=FIRM, filters=f)) == expected
            assert ids(insight_scope(user=user, kind=PERSONAL, filters=f)) == expected & on
            for j, other in enumerate(users):
                by_lawyer = InsightFilters(**PERIOD, lawyer=other.pk)
                theirs = {m.number for m, spec in zip(matters, firm["matters"], strict=True)
                          if j in spec["members"]}  # fmt: skip
                assert ids(insight_scope(user=user, kind=FIRM, filters=by_lawyer)) == (
                    expected & theirs
                )
