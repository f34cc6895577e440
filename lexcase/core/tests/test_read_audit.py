"""Every read of a matter is on record (律师法 Art. 38: a matter's content never leaks, and
every access to it is on record).

The walk starts from the access table (`test_access_table`: a row for every URL pattern of
the resolver and every operation of the API, whose meta-tests keep it complete). A GET row is
*bound to a matter* when it admits a member of `firm.matter` (or of the confidential matter)
and answers 404 to the partner walled off that matter: the gate decided, so the route shows
the matter or something hanging off it. The outside helper's pages (only the collaborator
column admits) and the client portal's (its own table, `portal.tests.test_portal_access`)
are walked the same way from their tables. Each bound route is requested as an authorised
reader, and the audit events that request recorded must equal the one named in READS
(action and matter); a route that legitimately records none is in UNAUDITED with the reason.
A new bound route in neither fails `test_every_matter_read_is_audited_or_listed`.

Refused and 404 requests record nothing: `test_a_refused_read_records_nothing`.

Pages of no one matter (the agenda, the communications log, one's task board, the calendar
feed, lists and exports) are walked too: every other GET row is requested after records of
`firm.matter` are planted (a communication, a deadline, a task, a time entry, each with a
marker in its text), and a page that shows any marker must record a read (LIST_READS: one
`matter.list_view` naming the matter, or the page's own event) or say why not
(LIST_UNAUDITED); a page listed there must show one
(`test_a_page_showing_records_of_matters_records_a_read`). A new page that shows a
matter's records without recording the read fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.billing.models import TimeEntry
from lexcase.calendar.models import Deadline, Hearing
from lexcase.comms.models import Communication
from lexcase.core.tests.access import PERSONAS, Route
from lexcase.core.tests.test_access_table import (
    API_OPERATIONS,
    TABLE,
    all_route_names,
    client_as,
    send,
)
from lexcase.documents.files import documents_storage
from lexcase.documents.models import Document, DocumentVersion
from lexcase.notifications.models import Notification
from lexcase.papers.models import CourtMessage
from lexcase.portal.tests.factories import PortalWorld, build_world
from lexcase.portal.tests.test_portal_access import ROWS as PORTAL_ROWS
from lexcase.portal.tests.test_portal_access import Row as PortalRow
from lexcase.portal.tests.test_portal_access import portal_client, portal_request
from lexcase.reviews.models import Approval, Review
from lexcase.testing import Firm, response_text, use_document_store
from lexcase.todos.models import Task

# Who reads a bound route: the first of these the row admits (200).
READERS = ("lead", "assistant", "admin", "finance")
STAFF = tuple(p for p in PERSONAS if p not in ("anonymous", "inactive", "collaborator"))


def _at(persona: str) -> int:
    return PERSONAS.index(persona)


def reader_of(route: Route) -> str | None:
    """Who reads `route` as an authorised member, if the route is bound to a matter."""
    if route.method != "GET":
        return None
    if route.expect[_at("walled")] == 404:
        return next((p for p in READERS if route.expect[_at(p)] == 200), None)
    # The outside helper's own pages: no staff member reaches them.
    if route.expect[_at("collaborator")] == 200 and all(route.expect[_at(p)] != 200 for p in STAFF):
        return "collaborator"
    return None


@dataclass(frozen=True)
class Read:
    """The one event a read records: its action and the matter it names."""

    action: str = "matter.view"
    matter: Callable[[Firm], int | None] = lambda f: f.matter.pk


def _confidential(f: Firm) -> int:
    return f.confidential.pk


def _no_matter(f: Firm) -> None:
    return None


VIEW = Read()
VIEW_CONFIDENTIAL = Read(matter=_confidential)

# Keyed by the access table's key, else by its route name (the part before "#").
READS: dict[str, Read] = {
    # the matter and its forms
    "matters:detail": VIEW,
    "matters:edit": VIEW,
    "matters:close": VIEW,
    "matters:archive": VIEW,
    "matters:form": VIEW,
    "matters:form#the confidential matter": VIEW_CONFIDENTIAL,
    "api:get_matter": VIEW,
    # sub-pages of the matter
    "todos:matter_board": VIEW,
    "todos:lead_suggestions": VIEW,
    "todos:task_detail": VIEW,
    "api:get_task": VIEW,
    "api:list_matter_tasks": VIEW,
    "insights:matter_outcomes": VIEW,
    "insights:matter_outcomes#confidential matter": VIEW_CONFIDENTIAL,
    "api:outcome_stats": VIEW,
    "api:outcome_stats#confidential matter": VIEW_CONFIDENTIAL,
    "papers:matter": VIEW,
    "papers:dossier": VIEW,
    "papers:court_message": Read("court_message.view"),
    "reviews:matter_reviews": VIEW,
    "reviews:review": VIEW,
    "reviews:approval": VIEW,
    "api:list_reviews": VIEW,
    "documents:detail": VIEW,
    "documents:download": Read("document.download"),
    "documents:version_download": Read("document.download"),
    "api:document_get": VIEW,
    "api:document_download": Read("document.download"),
    "api:matter_documents": VIEW,
    "api:matter_deadlines": VIEW,
    "api:matter_communications": VIEW,
    "comms:report_pdf": Read("progress_report.download"),
    "conflicts:report_pdf": Read("conflict.report_download"),
    "conflicts:report_pdf#confidential": Read("conflict.report_download", _confidential),
    "api:report": VIEW,
    "api:search": Read("search.query"),
    "search:search": Read("search.query"),
    "collab:task_helpers": VIEW,
    "collab:task": Read("collab.task_view"),
    "collab:download": Read("document.download"),
    "collab:home": Read("collab.tasks_list", _no_matter),
    # a party's personal data (PIPL), on whichever matters it is: no one matter named
    "parties:personal_data_json": Read("party.personal_data_export", _no_matter),
    "parties:personal_data_pdf": Read("party.personal_data_export", _no_matter),
    # money of the matter
    "billing:agreements": VIEW,
    "billing:agreements#confidential matter": VIEW_CONFIDENTIAL,
    "billing:agreement_create": VIEW,
    "billing:agreement_edit": VIEW,
    "billing:agreement_shares": VIEW,
    "billing:bill_detail": VIEW,
    "billing:bill_detail#confidential": VIEW_CONFIDENTIAL,
    "billing:bill_issue#confirm": VIEW,
    "billing:bill_pdf": Read("billing.bill_pdf"),
    "billing:bill_pdf#confidential": Read("billing.bill_pdf", _confidential),
    "billing:client_funds": VIEW,
    "billing:client_funds#confidential matter": VIEW_CONFIDENTIAL,
    "billing:expenses": VIEW,
    "billing:time": VIEW,
    "billing:payment_detail": VIEW,
    "api:fee_agreement_get": VIEW,
    "api:fee_agreement_list": VIEW,
    "api:fee_agreement_list#confidential matter": VIEW_CONFIDENTIAL,
    "api:get_bill": VIEW,
    "api:get_bill#confidential": VIEW_CONFIDENTIAL,
    "api:get_payment": VIEW,
    "api:list_invoices": VIEW,
    "api:expense_list": VIEW,
    "api:time_entry_list": VIEW,
}

UNAUDITED: dict[str, str] = {
    "documents:suggest": "a category proposed for the file name typed: nothing of the matter",
    "parties:detail": (
        "a party of the directory, on any number of matters: its page names the visible ones "
        "and reads none of their records (its identifiers are shown and recorded apart, "
        "party.identifiers_show)"
    ),
    "parties:edit": "the party's own fields, as on its page (parties:detail)",
    "parties:consents": "the party's consents to sensitive fields, as on its page",
    "api:get_party": "the party, as on its page (parties:detail)",
    "portal:contact": (
        "a client contact's login and the matters it was granted (number and title): "
        "who may see what, nothing of a matter's records"
    ),
}


def spec_for(key: str) -> Read | str | None:
    name = key.split("#", 1)[0]
    for table in (READS, UNAUDITED):
        if key in table:
            return table[key]
    for table in (READS, UNAUDITED):
        if name in table:
            return table[name]
    return None


def bound_keys() -> list[str]:
    """Every access-table key bound to a matter, of a route the resolver or the API has."""
    names = all_route_names() | set(API_OPERATIONS.values())
    return sorted(k for k, r in TABLE.items() if k.split("#")[0] in names and reader_of(r))


# The client portal: rows of A's own matter (client A reads them, client B is refused).
PORTAL_EXTRA = {
    # reviews' survey is in reviews' access rows (staff are refused it), not the portal's.
    "survey of A's matter": PortalRow(
        "reviews_portal:survey",
        "GET",
        lambda w: f"/portal/matters/{w.a_matter.pk}/survey/",
        (200, 404, "L"),
    ),
}
PORTAL_READS: dict[str, Read] = {
    "portal:matter": Read("portal.matter_view"),
    "portal:document_download": Read("document.download"),
    "portal:report": Read("progress_report.download"),
    "portal:bills": Read("portal.bills"),
    "portal:bill": Read("portal.bill_view"),
    "api:portal_matter": Read("portal.matter_view"),
    "api:portal_messages": Read("portal.messages"),
    "api:portal_bills": Read("portal.bills"),
    "api:portal_bill": Read("portal.bill_view"),
    "reviews_portal:survey": VIEW,
}


def portal_rows() -> dict[str, PortalRow]:
    rows = {**PORTAL_ROWS, **PORTAL_EXTRA}
    return {k: r for k, r in rows.items() if r.method == "GET" and r.expect[:2] == (200, 404)}


def test_every_matter_read_is_audited_or_listed():
    keys = bound_keys()
    assert [k for k in keys if spec_for(k) is None] == [], "bound to a matter: audit or list"
    names = {k.split("#", 1)[0] for k in keys} | set(keys)
    assert sorted(set(READS) - names) == [], "READS rows for routes bound to no matter"
    assert sorted(set(UNAUDITED) - names) == [], "UNAUDITED rows for routes bound to no matter"
    portal = {r.name for r in portal_rows().values()}
    assert sorted(portal ^ set(PORTAL_READS)) == []


def _reader_of_action(route: Route) -> str:
    """Who the row lets act (2xx or a redirect that is not to the login page)."""
    for persona in (*READERS, "collaborator"):
        status = route.expect[_at(persona)]
        if isinstance(status, int) and (200 <= status < 300 or status == 302):
            return persona
    return "lead"


def get_free_names() -> list[str]:
    """Web routes whose every row is another method: GET must be refused (405), or a GET row
    (and so this walk) is missing."""
    names = all_route_names()
    methods: dict[str, set[str]] = {}
    for key, route in TABLE.items():
        methods.setdefault(key.split("#", 1)[0], set()).add(route.method)
    # The API's paths answer each method as its own operation (a GET operation has a row).
    return sorted(
        n
        for n in names
        if "GET" not in methods.get(n, {"GET"}) and not n.startswith("api:") and n not in GET_PAGES
    )


# Routes whose rows are for another method but which answer GET with a page of no matter.
GET_PAGES = {
    "account_logout": "allauth's sign-out confirmation: nothing of a matter",
    "mfa_remove_webauthn": "one's own security key: GET is sent back to the key list",
    "set_language": "Django's language switch: GET redirects back, nothing shown",
    # Staff are refused (403) before the method is looked at; the client's reads of these
    # routes are walked from the portal's table (portal_rows).
    "portal:message_send": "a client's POST only",
    "portal:upload": "a client's POST only",
}


@pytest.mark.django_db
def test_a_route_without_a_get_row_refuses_get(firm, settings, tmp_path: Path):
    use_document_store(settings, tmp_path / "store")
    answered = {}
    for name in get_free_names():
        key = next(k for k in sorted(TABLE) if k.split("#", 1)[0] == name)
        route = TABLE[key]
        with transaction.atomic():
            path = route.path(firm)
            client = client_as(firm, _reader_of_action(route), path)
            answered[name] = client.get(path).status_code
            transaction.set_rollback(True)
    refused = {n: s for n, s in answered.items() if s != 405}
    assert refused == {}, refused


def _events_of(request: Callable[[], Any]) -> tuple[Any, list[tuple[str, int | None]]]:
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = request()
    rows = AuditEvent.objects.filter(pk__gt=start).order_by("pk")
    return response, [(e.action, e.matter_id) for e in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("key", bound_keys())
def test_a_read_of_a_matter_records_its_event(firm, settings, tmp_path: Path, key):
    use_document_store(settings, tmp_path / "store")
    route = TABLE[key]
    spec = spec_for(key)
    persona = reader_of(route)
    assert persona is not None
    path = route.path(firm)
    client = client_as(firm, persona, path)
    response, events = _events_of(lambda: send(client, firm, route, path))
    assert response.status_code == 200
    if isinstance(spec, Read):
        assert events == [(spec.action, spec.matter(firm))]
    else:
        assert events == [], spec


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(portal_rows()))
def test_a_clients_read_of_its_matter_records_its_event(firm, settings, tmp_path: Path, key):
    use_document_store(settings, tmp_path / "store")
    world: PortalWorld = build_world(firm)
    row = portal_rows()[key]
    spec = PORTAL_READS[row.name]
    client = portal_client(world, "client_a")
    response, events = _events_of(lambda: portal_request(world, "client_a", row, client))
    assert response.status_code == 200
    assert events == [(spec.action, world.a_matter.pk)]
    # Client B is refused (404): nothing recorded.
    client = portal_client(world, "client_b")
    response, events = _events_of(lambda: portal_request(world, "client_b", row, client))
    assert (response.status_code, events) == (404, [])


@pytest.mark.django_db
@pytest.mark.parametrize("key", [k for k in bound_keys() if isinstance(spec_for(k), Read)])
def test_a_refused_read_records_nothing(firm, settings, tmp_path: Path, key):
    """The walled partner (404) and, where the row refuses them, others: no event."""
    use_document_store(settings, tmp_path / "store")
    route = TABLE[key]
    refused = [
        p
        for p in ("walled", "outsider", "finance", "assistant")
        if route.expect[_at(p)] in (403, 404)
    ]
    for persona in refused:
        with transaction.atomic():
            path = route.path(firm)
            client = client_as(firm, persona, path)
            response, events = _events_of(partial(send, client, firm, route, path))
            transaction.set_rollback(True)
        assert (persona, response.status_code, events) == (
            persona,
            route.expect[_at(persona)],
            [],
        )


# -- pages of several matters ----------------------------------------------------------------

# ASCII: the API escapes other characters in its JSON.
MARKERS = (
    "MARKcomm",
    "MARKdeadline",
    "MARKtask",
    "MARKtime",
    "MARKcourt",
    "MARKnote",
    "MARKhearing",
    "MARKdoc",
    "MARKreview",
)


MARKED_FILE = "documents/access-table/marked.txt"


def plant_records(f: Firm, readers: tuple[str, ...] = ()) -> None:
    """Records of the firm's matter, each with a marker in its text, for the lead; the
    notification also to each persona of `readers`."""
    now = timezone.now()
    today = timezone.localdate()
    Communication.objects.create(
        matter=f.matter,
        occurred_at=now,
        channel="phone",
        direction="outbound",
        summary=MARKERS[0],
        created_by=f.lead,
    )
    Deadline.objects.create(
        matter=f.matter,
        title=MARKERS[1],
        due_date=today + timedelta(days=3),
        status="open",
        responsible=f.lead,
        rule_id="manual",
        trigger_date=today,
    )
    Task.objects.create(
        title=MARKERS[2],
        matter=f.matter,
        assignee=f.lead,
        created_by=f.lead,
        priority="P2",
        due_at=now + timedelta(days=2),
    )
    TimeEntry.objects.create(
        matter=f.matter,
        lawyer=f.lead,
        work_date=today,
        minutes=30,
        description=MARKERS[3],
        created_by=f.lead,
    )
    CourtMessage.objects.create(
        text="【法院】开庭通知",
        received_on=today,
        court=MARKERS[4],
        kind="hearing",
        matter=f.matter,
        created_by=f.lead,
    )
    # A notification about the matter, to each persona a list page may be read as.
    users = {f.lead, f.assistant, f.admin, f.finance, f.partner}
    users |= {getattr(f, r) for r in readers}
    for user in sorted(users, key=lambda u: u.pk):
        Notification.objects.create(
            user=user, kind="deadline", text=MARKERS[5], matter=f.matter, key=f"mark-{user.pk}"
        )
    hearing = Hearing.objects.create(
        matter=f.matter,
        title=MARKERS[6],
        court="北京市朝阳区人民法院",
        starts_at=now + timedelta(days=2),
    )
    hearing.attendees.add(f.lead)
    # A document (with its file) and a seal request on it that the lead asked of the partner.
    # Its own file: the access table's rows make theirs under another name.
    storage = documents_storage()
    if not storage.exists(MARKED_FILE):
        storage.save(MARKED_FILE, ContentFile(b"marked"))
    document = Document.objects.create(matter=f.matter, category="contract", title=MARKERS[7])
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        file_name=MARKED_FILE,
        original_name=f"{MARKERS[7]}.txt",
        size=storage.size(MARKED_FILE),
        sha256="0" * 64,
        content_type="text/plain",
        uploaded_by=f.lead,
    )
    Document.objects.filter(pk=document.pk).update(current=version)
    Approval.objects.create(
        kind="seal",
        matter=f.matter,
        document=document,
        purpose="盖章",
        requester=f.lead,
        approver=f.partner,
    )
    Review.objects.create(
        matter=f.matter,
        kind="stage",  # the access table's rows open a periodic one (one per matter)
        due_on=today,
        reviewer=f.lead,
        findings=MARKERS[8],
    )


LIST_VIEW = Read("matter.list_view", _no_matter)

# Keyed as READS. Pages that show records of the matters they list.
LIST_READS: dict[str, Read] = {
    "comms:list": LIST_VIEW,
    "comms:export": Read("comms.export", _no_matter),
    "calendar:agenda": LIST_VIEW,
    "calendar:agenda_week": LIST_VIEW,
    "calendar:agenda_month": LIST_VIEW,
    "calendar:deadline_export": Read("calendar.deadlines_export", _no_matter),
    "calendar:feed_ics": LIST_VIEW,
    "todos:my_tasks": LIST_VIEW,
    "papers:court_messages": LIST_VIEW,
    "api:agenda": LIST_VIEW,
    "api:list_tasks": LIST_VIEW,
    "comms:notifications": LIST_VIEW,
    "reviews:approvals": LIST_VIEW,
}
LIST_UNAUDITED: dict[str, str] = {}


def list_spec_for(key: str) -> Read | str | None:
    for table in (LIST_READS, LIST_UNAUDITED):
        if key in table:
            return table[key]
    name = key.split("#", 1)[0]
    for table in (LIST_READS, LIST_UNAUDITED):
        if name in table:
            return table[name]
    return None


def list_reader_of(route: Route) -> str | None:
    """Who reads a page of no one matter: the first persona it admits (200)."""
    order = (*READERS, *(p for p in PERSONAS if p not in READERS))
    return next((p for p in order if route.expect[_at(p)] == 200), None)


def unbound_keys() -> list[str]:
    names = all_route_names() | set(API_OPERATIONS.values())
    bound = set(bound_keys())
    return sorted(
        k
        for k, r in TABLE.items()
        if r.method == "GET"
        and k.split("#")[0] in names
        and k not in bound
        and list_reader_of(r) is not None
    )


def test_every_list_read_row_names_a_route_of_the_table():
    keys = set(unbound_keys())
    names = {k.split("#", 1)[0] for k in keys} | keys
    assert sorted((set(LIST_READS) | set(LIST_UNAUDITED)) - names) == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", unbound_keys())
def test_a_page_showing_records_of_matters_records_a_read(firm, settings, tmp_path: Path, key):
    use_document_store(settings, tmp_path / "store")
    plant_records(firm)
    route = TABLE[key]
    persona = list_reader_of(route)
    assert persona is not None
    path = route.path(firm)
    client = client_as(firm, persona, path)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = send(client, firm, route, path)
    assert response.status_code == 200
    shown = [m for m in MARKERS if m in response_text(response)]
    events = list(
        AuditEvent.objects.filter(pk__gt=start)
        .order_by("pk")
        .values_list("action", "matter_id", "data")
    )
    spec = list_spec_for(key)
    if not shown:
        assert spec is None, f"{key} is listed as showing a matter's records but shows none"
        return
    assert spec is not None, f"{key} shows {shown}: record the read (LIST_READS) or say why not"
    if isinstance(spec, str):
        assert events == [], spec
        return
    assert [(a, m) for a, m, _d in events] == [(spec.action, spec.matter(firm))]
    if spec.action == "matter.list_view":
        assert firm.matter.pk in events[0][2]["matters"]
