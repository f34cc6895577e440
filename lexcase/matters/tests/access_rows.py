"""Access-table rows for closing and the archive room (see lexcase/core/tests/access.py).

The rows for matters:close and matters:archive stay in core's test_access_table.py."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from lexcase.core.tests.access import (
    API_MATTER_READ,
    LOGIN,
    MATTER_FORM_AGAIN,
    MATTER_READ,
    MATTER_WRITE,
    E,
    Route,
)
from lexcase.matters.models import (
    ArchiveRecord,
    ClosingChecklistItem,
    Matter,
    MatterParty,
    PaperLoan,
    RetentionClass,
)
from lexcase.parties.services import party_create
from lexcase.reviews.models import Approval, Review
from lexcase.testing import Firm

# Partners and admins; walled is a partner.
KEEPERS = E(LOGIN, LOGIN, 403, 403, 403, 403, 200, 200, 404)
# The archive keeper acts on a visible matter; the lead and the assistant see it but may not.
KEEPER_WRITE = E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404)
API_CLOSER = E(401, 401, 404, 404, 403, 200, 404, 200, 401)


def set_status(f: Firm, status: str) -> int:
    Matter.objects.filter(pk=f.matter.pk).update(status=status)
    return f.matter.pk


def ready_to_close(f: Firm) -> int:
    """Open, with its closing review done (reviews' requirement for closing)."""
    set_status(f, "open")
    Review.objects.create(
        matter=f.matter,
        kind="closing",
        status="done",
        due_on=timezone.localdate(),
        score=4,
        completed_at=timezone.now(),
    )
    return f.matter.pk


def ready_to_archive(f: Firm) -> int:
    """Closed, with the responsible partner's archiving approval (reviews' requirement)."""
    set_status(f, "closed")
    Approval.objects.create(
        kind="archive",
        matter=f.matter,
        requester=f.lead,
        approver=f.partner,
        status="approved",
        decided_by=f.partner,
        decided_at=timezone.now(),
    )
    return f.matter.pk


def archived(f: Firm) -> int:
    set_status(f, "archived")
    ArchiveRecord.objects.create(
        matter=f.matter,
        number="2026-民-长期-0001",
        year=2026,
        type_code="民",
        retention=RetentionClass.objects.get(code="long"),
        room="A",
        shelf="3",
        box="12",
        archived_on=date(2026, 11, 30),
    )
    return f.matter.pk


def open_loan(f: Firm) -> str:
    pk = archived(f)
    loan = PaperLoan.objects.create(
        record=f.matter.archive, borrower=f.lead, due_on=date(2026, 12, 14), purpose="再审"
    )
    return f"/matters/{pk}/archive/loans/{loan.pk}/return/"


def checklist_codes() -> list[str]:
    return list(ClosingChecklistItem.objects.values_list("code", flat=True))


def person_with_id(f: Firm, *, linked: bool) -> int:
    """A person with an ID number: on the firm's matter (read through the gate), or on none
    (every staff member sees it, only some may show its number)."""
    party = party_create(actor=f.lead, kind="person", name="赵六", id_number="11010519491231002X")
    if linked:
        MatterParty.objects.create(matter=f.matter, party=party, role="opposing")
    return party.pk


# Show an ID number in full: lawyers, assistants, partners, admins, on a visible party.
SHOW_IDS = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200, 404)

TABLE: dict[str, Route] = {
    # Consent to a person's sensitive fields: whoever sees the party (not finance) records.
    "parties:consents": Route(
        "GET", lambda f: f"/parties/{f.opposing_party.pk}/consents/", MATTER_READ
    ),
    "parties:consents#record": Route(
        "POST",
        lambda f: f"/parties/{f.opposing_party.pk}/consents/",
        MATTER_WRITE,
        body=lambda f: {"field": "id_number", "basis": "书面同意书"},
    ),
    # Refused (how consent was given is missing): the form comes back as typed.
    "parties:consents#refused": Route(
        "POST",
        lambda f: f"/parties/{f.opposing_party.pk}/consents/",
        MATTER_FORM_AGAIN,
        body=lambda f: {"field": "id_number", "basis": ""},
    ),
    # A legal hold: the responsible partner (not a persona here) or an administrator.
    "matters:legal_hold": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/legal-hold/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404),
        body=lambda f: {"hold": "set", "reason": "监管机构调取"},
    ),
    "parties:identifiers_show": Route(
        "POST", lambda f: f"/parties/{person_with_id(f, linked=True)}/identifiers/", SHOW_IDS
    ),
    "parties:identifiers_show#a party on no matter": Route(
        "POST",
        lambda f: f"/parties/{person_with_id(f, linked=False)}/identifiers/",
        E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404),
    ),
    "api:show_party_identifiers": Route(
        "POST",
        lambda f: f"/api/v1/parties/{person_with_id(f, linked=True)}/identifiers",
        API_MATTER_READ,
    ),
    "api:show_party_identifiers#a party on no matter": Route(
        "POST",
        lambda f: f"/api/v1/parties/{person_with_id(f, linked=False)}/identifiers",
        E(401, 401, 403, 200, 200, 200, 200, 200, 401),
    ),
    "matters:archive_room": Route("GET", lambda f: "/matters/archive-room/", KEEPERS),
    "matters:archive_settings": Route(
        "GET", lambda f: "/matters/archive-room/settings/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)
    ),
    "matters:loan_lend": Route(
        "POST",
        lambda f: f"/matters/{archived(f)}/archive/loans/",
        KEEPER_WRITE,
        body=lambda f: {
            "borrower": "lead",
            "due_on": (date.today() + timedelta(days=30)).isoformat(),
            "purpose": "再审申请",
        },
    ),
    # Refused (a borrower who is not a user): the loan form comes back as typed.
    "matters:loan_lend#refused": Route(
        "POST",
        lambda f: f"/matters/{archived(f)}/archive/loans/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 422, 404),
        body=lambda f: {"borrower": "nobody", "due_on": "2026-02-30", "purpose": "再审申请"},
    ),
    "matters:loan_return": Route("POST", open_loan, KEEPER_WRITE),
    "api:close_matter": Route(
        "POST",
        lambda f: f"/api/v1/matters/{ready_to_close(f)}/close",
        API_CLOSER,
        body=lambda f: {"outcome": "settled", "checklist": checklist_codes()},
        json=True,
    ),
    "api:archive_matter": Route(
        "POST",
        lambda f: f"/api/v1/matters/{ready_to_archive(f)}/archive",
        API_CLOSER,
        body=lambda f: {"room": "A", "shelf": "3", "box": "12"},
        json=True,
    ),
}

API_OPERATIONS = {
    ("post", "/api/v1/parties/{party_id}/identifiers"): "api:show_party_identifiers",
    ("post", "/api/v1/matters/{matter_id}/close"): "api:close_matter",
    ("post", "/api/v1/matters/{matter_id}/archive"): "api:archive_matter",
}
