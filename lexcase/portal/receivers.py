"""The portal's reactions: a client's contacts hear when the firm shares a document with
them, when a date they see moves or when a bill they may see is issued; when retention
anonymises their client, their accounts are anonymised and closed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lexcase.billing.events import bill_issued
from lexcase.calendar.events import client_date_changed
from lexcase.documents.events import document_shared
from lexcase.matters.events import party_anonymised
from lexcase.notifications.kinds import NotificationKind
from lexcase.portal.services import bill_issued_notify, contacts_anonymise, contacts_notify


def shared(*, document: Any, **_kw: Any) -> None:
    matter = document.matter
    contacts_notify(
        matter=matter,
        kind=NotificationKind.DOCUMENT_SHARED,
        text=_("A document was shared with you on matter %(number)s: %(title)s")
        % {"number": matter.number, "title": document.title},
        key=f"document_shared:{document.pk}",
    )


def date_moved(*, obj: Any, matter: Any, old: Any, new: Any, **_kw: Any) -> None:
    contacts_notify(
        matter=matter,
        kind=NotificationKind.CLIENT_DATE_CHANGED,
        text=_("A date of matter %(number)s changed: %(what)s moved from %(old)s to %(new)s")
        % {"number": matter.number, "what": obj.title, "old": old, "new": new},
        key=f"client_date:{type(obj).__name__}:{obj.pk}:{new}",
    )


def issued(*, bill: Any, **_kw: Any) -> None:
    bill_issued_notify(bill=bill)


def anonymised(*, party: Any, **_kw: Any) -> None:
    contacts_anonymise(party=party)


def connect() -> None:
    document_shared.connect(shared, dispatch_uid="portal.document_shared")
    client_date_changed.connect(date_moved, dispatch_uid="portal.client_date_changed")
    party_anonymised.connect(anonymised, dispatch_uid="portal.party_anonymised")
    bill_issued.connect(issued, dispatch_uid="portal.bill_issued")
