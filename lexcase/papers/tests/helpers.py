"""A demo-like matter for the papers tests: a person client with an ID number and address,
the 案由, a court case number and an approved fixed fee."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from lexcase.accounts.models import FirmProfile
from lexcase.billing.models import FeeAgreement
from lexcase.matters.models import CaseCause, CourtCaseNumber, Matter, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.models import PartyKind
from lexcase.parties.services import party_create
from lexcase.testing import Firm

CLIENT_ID = "11010519491231002X"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def demo_matter(f: Firm, *, client_name: str = "张三丰") -> Matter:
    FirmProfile.objects.update_or_create(
        pk=1, defaults={"name": "北京律案律师事务所", "address": "北京市朝阳区建国路1号"}
    )
    client = party_create(
        actor=f.lead,
        kind=PartyKind.PERSON,
        name=client_name,
        id_number=CLIENT_ID,
        address="北京市海淀区中关村大街27号",
    )
    opposing = party_create(actor=f.lead, kind=PartyKind.ORGANIZATION, name="上海某某贸易有限公司")
    matter = matter_create(
        actor=f.lead,
        title="张三丰诉上海某某贸易有限公司买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P2",
        cause=CaseCause.objects.filter(name="买卖合同纠纷").first(),
        court="北京市朝阳区人民法院",
        amount=Decimal("1234567"),
        parties=[
            PartyLink(party=client, role="client", standing="原告"),
            PartyLink(party=opposing, role="opposing", standing="被告"),
        ],
        lead_lawyer=f.lead,
        responsible_partner=f.partner,
    )
    CourtCaseNumber.objects.create(
        matter=matter,
        stage="first_instance",
        number="（2026）京0105民初12345号",
        year=2026,
        court_code="京0105",
        type_code="民初",
    )
    FeeAgreement.objects.create(
        matter=matter,
        kind="fixed",
        status="approved",
        fixed_amount=Decimal("12345.67"),
        approved_by=f.partner,
        approved_at=timezone.now(),
    )
    return matter


def docx_with(*paragraphs: str, name: str = "t.docx") -> SimpleUploadedFile:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=DOCX)


def docx_text(content: bytes) -> str:
    """Every paragraph's text (body and tables), one per line, as python-docx reads it."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)
