"""Portal personas for tests: client contacts and a matter where two clients meet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lexcase.accounts.models import Role, User
from lexcase.billing.services.bills import bill_draw, bill_void
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill, time_entry
from lexcase.comms.models import ProgressReport
from lexcase.comms.services import communication_create
from lexcase.documents.services import documents_upload
from lexcase.matters.models import Matter, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.services import party_create
from lexcase.portal.models import ClientContact, ClientContactMatter
from lexcase.portal.selectors import grantable_matters
from lexcase.portal.services import client_contact_invite
from lexcase.testing import Firm

PASSWORD = "correct-horse-battery"


def make_contact(
    party: Party, username: str, name: str = "", matters: list[Matter] | None = None
) -> ClientContact:
    """An accepted portal contact with the usual test password, granted `matters` (by
    default every matter `party` is the client on now, as the data migration granted)."""
    user = User.objects.create(
        username=username, email=f"{username}@example.com", role=Role.CLIENT, name=name
    )
    user.set_password(PASSWORD)
    user.save()
    contact = ClientContact.objects.create(user=user, party=party, accepted_at=timezone.now())
    if matters is None:
        matters = list(
            Matter.objects.filter(matter_parties__party=party, matter_parties__role="client")
        )
    for matter in matters:
        ClientContactMatter.objects.create(contact=contact, matter=matter)
    return contact


def invite_token(f: Firm, party: Party | None = None) -> str:
    """A fresh, valid invitation link secret for a new contact of the firm's client."""
    box: list[str] = []

    def link_for(raw: str) -> str:
        box.append(raw)
        return f"http://testserver/portal/invite/{raw}/"

    party = party or f.client_party
    client_contact_invite(
        actor=f.lead,
        party=party,
        name="张联系",
        email=f"{uuid.uuid4().hex[:10]}@example.com",
        matters=list(grantable_matters(user=f.lead, party=party)),
        link_for=link_for,
    )
    return box[0]


def open_matter(matter: Matter) -> Matter:
    # Portal tests need accepted (open) matters; the intake flow is tested elsewhere.
    Matter.objects.filter(pk=matter.pk).update(status="open")
    matter.refresh_from_db()
    return matter


def pdf_upload(name: str = "judgment.pdf", body: bytes = b"judgment") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + body + b"\n%%EOF\n", "application/pdf")


def make_document(matter: Matter, actor: User, *, title: str, shared: bool) -> Any:
    (document,) = documents_upload(
        actor=actor,
        matter=matter,
        uploads=[pdf_upload(f"{title}.pdf", title.encode())],
        category="court",
        title=title,
        shared_with_client=shared,
    )
    return document


@dataclass
class PortalWorld:
    """Client A (华泰科技) and client B (王伟) on opposite sides of `firm.matter`; B is also
    the client on `b_matter`, against a third party A has never heard of."""

    firm: Firm
    a: ClientContact
    b: ClientContact
    a_matter: Matter
    b_matter: Matter
    b_secret_opponent: Party
    a_shared: Any = None
    a_unshared: Any = None
    b_shared: Any = None
    a_report: Any = None
    b_report: Any = None
    b_message: Any = None
    a_bill: Any = None  # issued to A on A's matter, partly paid
    a_draft: Any = None  # a draft on A's matter (never shown)
    a_void: Any = None  # a void bill of A's (never shown)
    b_bill: Any = None  # issued to B on B's matter


def build_world(f: Firm) -> PortalWorld:
    a_matter = open_matter(f.matter)
    secret_opponent = party_create(
        actor=f.lead, kind=PartyKind.ORGANIZATION, name="远星秘密贸易有限公司"
    )
    b_matter = open_matter(
        matter_create(
            actor=f.lead,
            title="王伟诉远星贸易借款纠纷",
            matter_type=MatterType.CIVIL,
            priority="P2",
            parties=[
                PartyLink(party=f.opposing_party, role="client", standing="原告"),
                PartyLink(party=secret_opponent, role="opposing", standing="被告"),
            ],
            lead_lawyer=f.lead,
            responsible_partner=f.partner,
        )
    )
    world = PortalWorld(
        firm=f,
        a=make_contact(f.client_party, "client-a", "华泰联系人"),
        b=make_contact(f.opposing_party, "client-b", "王伟本人"),
        a_matter=a_matter,
        b_matter=b_matter,
        b_secret_opponent=secret_opponent,
    )

    world.a_report = ProgressReport.objects.create(
        matter=a_matter, title="华泰进展报告", html="<p>进展A</p>", sent_at=timezone.now()
    )
    world.b_report = ProgressReport.objects.create(
        matter=b_matter, title="王伟进展报告", html="<p>进展B</p>", sent_at=timezone.now()
    )
    world.b_message = communication_create(
        actor=world.b.user,
        matter=b_matter,
        channel="portal",
        direction="inbound",
        summary="王伟的秘密留言",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    world.a_shared = make_document(a_matter, f.lead, title="一审判决书", shared=True)
    world.a_unshared = make_document(a_matter, f.lead, title="内部备忘录", shared=False)
    world.b_shared = make_document(b_matter, f.lead, title="王伟借条", shared=True)
    add_bills(world)
    return world


def add_bills(world: PortalWorld) -> None:
    """Bills on both clients' matters, shown to each contact on its own matter (the grant's
    bills switch on): A's issued bill (¥1,500, ¥600 received), a draft and a void bill of
    A's, and B's issued bill (¥2,000)."""
    f = world.firm
    world.a_bill = issued_bill(f, world.a_matter, minutes=90, rate="1000.00")
    payment_record(
        actor=f.finance,
        client=f.client_party,
        received_on=date(2026, 7, 3),
        amount=Decimal("600.00"),
        method="bank",
        payer="华泰科技财务部",
        reference="内部流水 88",
        note="财务内部备注",
        allocations=[AllocationIn(bill=world.a_bill, amount=Decimal("600.00"))],
    )
    world.a_bill.refresh_from_db()
    world.a_void = issued_bill(f, world.a_matter, minutes=30, rate="1000.00")
    world.a_void = bill_void(
        actor=f.finance, bill=world.a_void, version=world.a_void.version, reason="开错了"
    )
    time_entry(f, world.a_matter, minutes=60, description="内部草稿工时")
    world.a_draft = bill_draw(actor=f.finance, matter=world.a_matter, as_of=date(2026, 6, 30))
    world.b_bill = issued_bill(f, world.b_matter, minutes=120, rate="1000.00")
    ClientContactMatter.objects.filter(
        contact__in=[world.a, world.b], matter__in=[world.a_matter, world.b_matter]
    ).update(bills_visible=True)
