"""The party directory's API, read through the gate (see `party_views`)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Choices, Id
from lexcase.matters.selectors import parties_list, party_alias_names, party_get
from lexcase.parties import services
from lexcase.parties.identifiers import mask_identifier
from lexcase.parties.models import Party, PartyKind

router = Router(tags=["parties"])


class PartyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Choices[str, PartyKind]
    name: str = Field(min_length=1, max_length=200)
    id_number: str | None = Field(default=None, max_length=30)
    credit_code: str | None = Field(default=None, max_length=30)
    passport: str | None = Field(default=None, max_length=30)
    phone: str | None = Field(default=None, max_length=40)
    aliases: list[str] = Field(default_factory=list, max_length=50)


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    id_number: str
    credit_code: str
    aliases: list[str]
    version: int


def party_out(party: Party, aliases: list[str] | None = None) -> PartyOut:
    """`aliases`: the party's alias names when the caller read them (a listed page reads
    every party's in one query); otherwise they are read here."""
    if aliases is None:
        aliases = [alias.name for alias in party.aliases.all()]
    return PartyOut(
        id=party.pk,
        kind=party.kind,
        name=party.name,
        # Personal ID numbers are masked in every API response (PIPL).
        id_number=mask_identifier(party.id_number) if party.id_number else "",
        credit_code=party.credit_code,
        aliases=aliases,
        version=party.version,
    )


@router.post("", response={201: PartyOut}, operation_id="party_create")
def create_party(request: AuthedRequest, payload: PartyIn) -> Status:
    if not request.user.has_perm("parties.add_party"):
        raise NotAllowed
    party = services.party_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        id_number=payload.id_number or "",
        credit_code=payload.credit_code or "",
        passport=payload.passport or "",
        phone=payload.phone or "",
        aliases=payload.aliases,
    )
    return Status(201, party_out(party))


@router.get("", response=list[PartyOut], operation_id="party_list")
def list_parties(
    request: AuthedRequest,
    q: str = Query("", max_length=200),
    limit: int = Query(50, ge=1, le=200),
) -> list[PartyOut]:
    parties = parties_list(user=request.user, q=q, limit=limit)
    aliases = party_alias_names(parties)  # one query for the page, not one per party
    return [party_out(p, aliases.get(p.pk, [])) for p in parties]


@router.get("/{party_id}", response=PartyOut, operation_id="party_get")
def get_party(request: AuthedRequest, party_id: Id) -> PartyOut:
    return party_out(party_get(user=request.user, pk=party_id))


class PartyIdentifiersOut(Schema):
    id: int
    id_number: str
    passport: str


@router.post(
    "/{party_id}/identifiers", response=PartyIdentifiersOut, operation_id="party_identifiers_show"
)
def show_party_identifiers(
    request: AuthedRequest, party_id: Id, response: HttpResponse
) -> PartyIdentifiersOut:
    """The party's ID and passport numbers in full (every other response masks them): for
    lawyers, assistants, partners and administrators, audited, `Cache-Control: no-store`."""
    party = party_get(user=request.user, pk=party_id)
    if not request.user.has_perm("parties.show_identifiers", party):
        raise NotAllowed
    shown = services.party_identifiers_show(actor=request.user, party=party)
    response["Cache-Control"] = "no-store"
    return PartyIdentifiersOut(
        id=party.pk, id_number=shown.get("id_number", ""), passport=shown.get("passport", "")
    )
