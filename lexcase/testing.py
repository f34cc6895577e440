"""Test helpers: the personas and the small firm every permission test uses.

An importable module (not conftest.py) so tests, access rows and benchmarks import it by
name; conftest.py only turns `build_firm` into the `firm` fixture."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.test import Client

from lexcase.accounts.models import Role, User
from lexcase.conflicts.services import conflict_review_decide
from lexcase.matters.models import EthicalWall, Matter, MatterMember, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.services import party_create

__all__ = [
    "Firm",
    "approve_intake",
    "build_firm",
    "client_for",
    "make_user",
    "readable",
    "response_text",
]


def make_user(username: str, role: str, **extra: object) -> User:
    user = User.objects.create(username=username, role=role, name=username.title(), **extra)
    user.set_password("correct-horse-battery")
    user.save()
    return user


@dataclass
class Firm:
    admin: User
    partner: User  # responsible partner of `matter`
    partner_other: User  # a partner off the matter
    lead: User  # lead lawyer of `matter`
    assistant: User  # assistant on `matter`
    outsider: User  # a lawyer off the matter
    walled: User  # a partner walled off `matter`
    inactive: User  # a deactivated lawyer who used to be on `matter`
    finance: User
    collaborator: User  # an outside helper; rows that need one invite them (lexcase.collab)
    client_party: Party
    opposing_party: Party
    matter: Matter
    confidential: Matter  # members only: lead + partner


def build_firm() -> Firm:
    """The firm every permission test uses (call inside a test with database access)."""
    admin = make_user("admin", Role.ADMIN)
    partner = make_user("partner", Role.PARTNER)
    partner_other = make_user("partner2", Role.PARTNER)
    lead = make_user("lead", Role.LAWYER)
    assistant = make_user("assistant", Role.ASSISTANT)
    outsider = make_user("outsider", Role.LAWYER)
    walled = make_user("walled", Role.PARTNER)
    inactive = make_user("inactive", Role.LAWYER)
    finance = make_user("finance", Role.FINANCE)
    collaborator = make_user("collaborator", Role.COLLABORATOR)
    client_party = party_create(
        actor=lead,
        kind=PartyKind.ORGANIZATION,
        name="北京华泰科技有限公司",
        credit_code="91350200776049653A",
    )
    opposing_party = party_create(actor=lead, kind=PartyKind.PERSON, name="王伟")
    matter = matter_create(
        actor=lead,
        title="华泰科技诉王伟买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P2",
        parties=[
            PartyLink(party=client_party, role="client", standing="原告"),
            PartyLink(party=opposing_party, role="opposing", standing="被告"),
        ],
        lead_lawyer=lead,
        responsible_partner=partner,
    )
    MatterMember.objects.create(matter=matter, user=assistant, role="assistant")
    MatterMember.objects.create(matter=matter, user=inactive, role="member")
    inactive.is_active = False
    inactive.save()
    EthicalWall.objects.create(matter=matter, user=walled, reason="former counsel of 王伟")
    secret_party = party_create(actor=lead, kind=PartyKind.PERSON, name="李秘")
    confidential = matter_create(
        actor=lead,
        title="保密并购项目",
        matter_type=MatterType.NON_LITIGATION,
        confidential=True,
        parties=[PartyLink(party=secret_party, role="client")],
        lead_lawyer=lead,
        responsible_partner=partner,
    )
    return Firm(
        admin=admin,
        partner=partner,
        partner_other=partner_other,
        lead=lead,
        assistant=assistant,
        outsider=outsider,
        walled=walled,
        inactive=inactive,
        finance=finance,
        collaborator=collaborator,
        client_party=client_party,
        opposing_party=opposing_party,
        matter=matter,
        confidential=confidential,
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def approve_intake(matter: Matter, reviewer: User) -> None:
    """Clear the intake's conflict check (a partner other than the requester)."""
    conflict_review_decide(actor=reviewer, matter=matter, decision="approve")


def use_document_store(settings: Any, location: Path) -> Path:
    """Documents stored under ``location`` (a test's own directory) and tasks run at once,
    so extraction happens, deterministically, when the upload's transaction commits."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return location


def response_text(response: Any) -> str:
    """An answer's text: streamed or not; a workbook's (a zip's) XML parts."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:2] == b"PK":  # a workbook: its XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return content.decode("utf-8", "replace")


def readable(response: Any) -> str:
    """The answer's text as a reader sees it; JSON decoded (the API escapes every non-ASCII
    character), for the walks that look for what an answer shows."""
    text = response_text(response)
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text
