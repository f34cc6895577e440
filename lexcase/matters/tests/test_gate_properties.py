"""Property test of the confidentiality gate (docs/quality.md T03, reduced): random firms, every
read surface compared with an oracle that restates the rule in plain Python."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lexcase.accounts.models import Role, User
from lexcase.calendar.models import Deadline
from lexcase.calendar.selectors import agenda_items
from lexcase.matters.models import EthicalWall, Matter, MatterMember, MatterParty
from lexcase.matters.selectors import (
    MatterFilters,
    matters_page,
    matters_visible_to,
    parties_visible_to,
)
from lexcase.parties.models import Party
from lexcase.search.services import search_matters_reindex

ROLES = [r.value for r in Role]

firms = st.fixed_dictionaries(
    {
        "users": st.lists(st.tuples(st.sampled_from(ROLES), st.booleans()), min_size=1, max_size=6),
        "matters": st.lists(
            st.fixed_dictionaries(
                {
                    "confidential": st.booleans(),
                    "members": st.sets(st.integers(0, 5), max_size=3),
                    "walls": st.sets(st.integers(0, 5), max_size=2),
                }
            ),
            min_size=1,
            max_size=6,
        ),
    }
)


def oracle(user: User, matter: dict, index: int) -> bool:
    # Clients see their matters through the portal, outside helpers their tasks through the
    # collaborator workspace: the gate shows neither any matter.
    if not user.is_active or user.role in (Role.CLIENT, Role.COLLABORATOR):
        return False
    if index in matter["walls"]:
        return False
    if index in matter["members"]:
        return True
    return user.role in (Role.ADMIN, Role.PARTNER) and not matter["confidential"]


class GateProperties(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(firm=firms)
    def test_every_surface_matches_the_oracle(self, firm):
        users = [
            User.objects.create(username=f"u{i}", role=role, is_active=active)
            for i, (role, active) in enumerate(firm["users"])
        ]
        matters = []
        for j, spec in enumerate(firm["matters"]):
            matter = Matter.objects.create(
                number=f"T-{j}",
                title=f"案件{j}",
                matter_type="civil",
                confidential=spec["confidential"],
            )
            party = Party.objects.create(
                kind="person",
                name=f"当事人{j}",
                name_normalized=f"当事人{j}",
                name_core=f"当事人{j}",
                name_trade=f"当事人{j}",
            )
            MatterParty.objects.create(matter=matter, party=party, role="client")
            for i in spec["members"]:
                if i < len(users):
                    MatterMember.objects.create(matter=matter, user=users[i], role="member")
            for i in spec["walls"]:
                if i < len(users):
                    EthicalWall.objects.create(matter=matter, user=users[i], reason="x")
            for user in users:
                Deadline.objects.create(
                    matter=matter, title="期限", due_date=date(2026, 12, 1), responsible=user
                )
            matters.append(matter)
        search_matters_reindex()  # the list's q= reads the search index (written on commit)
        for i, user in enumerate(users):
            expected = {
                m.pk
                for m, spec in zip(matters, firm["matters"], strict=True)
                if oracle(user, spec, i)
            }
            assert set(matters_visible_to(user).values_list("pk", flat=True)) == expected
            page = matters_page(user=user, filters=MatterFilters(q="案件"))
            assert {m.pk for m in page.items} == expected
            assert page.total == len(expected)
            agenda = agenda_items(
                user=user, start=date(2026, 11, 1), end=date(2026, 12, 31), mine_only=False
            )
            assert {item.matter.pk for item in agenda} == expected
            parties = set(parties_visible_to(user).values_list("name", flat=True))
            assert parties == {f"当事人{j}" for j, m in enumerate(matters) if m.pk in expected}
