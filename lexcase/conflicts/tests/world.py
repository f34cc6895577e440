"""Conflict test helpers: the labelled world, and helpers to build matters quickly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.db import transaction

from lexcase.accounts.models import Role, User
from lexcase.conflicts.engine import index_party, index_rebuild, staff_relative_add
from lexcase.conflicts.models import StaffRelative
from lexcase.conflicts.tests.labelled_cases import RELATIONS, RELATIVES, STORED
from lexcase.matters.models import Matter, MatterType, Status
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.models import Party, PartyRelation
from lexcase.parties.services import party_create


def make_party(actor: User, name: str, kind: str = "organization", **extra: object) -> Party:
    """Create a party through the service and index it, as party_create will once wired."""
    party = party_create(actor=actor, kind=kind, name=name, **extra)
    index_party(party)
    return party


def make_matter(
    firm: object,
    links: list[tuple[Party, str]],
    *,
    status: str = Status.OPEN,
    matter_type: str = MatterType.CIVIL,
    closed_on: date | None = None,
) -> Matter:
    """A matter with the given (party, role) links, forced into `status` (tests only)."""
    matter = matter_create(
        actor=firm.lead,  # type: ignore[attr-defined]
        title="冲突测试案件",
        matter_type=matter_type,
        parties=[PartyLink(party=p, role=r) for p, r in links],
        lead_lawyer=firm.lead,  # type: ignore[attr-defined]
        responsible_partner=firm.partner,  # type: ignore[attr-defined]
    )
    Matter.objects.filter(pk=matter.pk).update(status=status, closed_on=closed_on)
    matter.refresh_from_db()
    return matter


@contextmanager
def module_data(django_db_blocker: object) -> Iterator[None]:
    """Data built once per module inside a transaction that is rolled back afterwards.

    Each test's own `db` transaction nests as a savepoint, so tests stay isolated from each
    other and nothing leaks into other modules, while the costly setup runs once.
    """
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        yield
        transaction.set_rollback(True)


def module_firm() -> SimpleNamespace:
    """The users a module-scoped fixture needs (the root `firm` fixture is per test)."""
    users = {
        name: User.objects.create(username=name, role=role, name=name.title())
        for name, role in (
            ("lead", Role.LAWYER),
            ("partner", Role.PARTNER),
            ("outsider", Role.LAWYER),
        )
    }
    return SimpleNamespace(**users)


@dataclass
class World:
    firm: object
    parties: dict[str, Party]
    relatives: dict[str, StaffRelative]
    matter: Matter

    def owner(self, key: str) -> tuple[str, int]:
        if key in self.parties:
            return ("party", self.parties[key].pk)
        return ("relative", self.relatives[key].pk)


def build_world(firm: object) -> World:
    """Every labelled party is the opposing party on one open matter of the firm."""
    lead = firm.lead  # type: ignore[attr-defined]
    parties = {
        s.key: party_create(
            actor=lead,
            kind=s.kind,
            name=s.name,
            id_number=s.id_number,
            credit_code=s.credit_code,
            passport=s.passport,
            aliases=s.aliases,
        )
        for s in STORED
    }
    for r in RELATIONS:
        PartyRelation.objects.create(
            source=parties[r.source], target=parties[r.target], kind=r.kind
        )
    client = party_create(actor=lead, kind="organization", name="委托人示例有限公司")
    matter = make_matter(firm, [(client, "client")] + [(p, "opposing") for p in parties.values()])
    relatives = {
        r.key: staff_relative_add(
            user=firm.outsider,  # type: ignore[attr-defined]
            name=r.name,
            relation=r.relation,
            id_number=r.id_number,
        )
        for r in RELATIVES
    }
    index_rebuild()
    return World(firm=firm, parties=parties, relatives=relatives, matter=matter)
