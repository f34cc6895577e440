"""The partners' approval inbox: seal requests (用章申请) and archiving approvals (归档审批)
decided here, beside the approvals other apps keep (intake conflict reviews, fee agreements
above the threshold), read through their selectors. Every decision is a record (requester,
approver, decision, time, reason) and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import AnyUser, User
from lexcase.audit.services import audit_record
from lexcase.billing.selectors.shared import agreements_visible_to
from lexcase.conflicts.selectors import intakes_awaiting_review
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.documents.models import Document
from lexcase.documents.services import document_version_add
from lexcase.matters.extensions import AgendaItem
from lexcase.matters.models import Matter, MatterMember, MemberRole, Status
from lexcase.matters.selectors import visible_through
from lexcase.notifications.kinds import NotificationKind
from lexcase.notifications.services import notification_send
from lexcase.reviews.models import Approval, ApprovalKind, ApprovalStatus


def _partner(matter: Matter) -> User | None:
    row = (
        MatterMember.objects.filter(matter=matter, role=MemberRole.RESPONSIBLE_PARTNER)
        .select_related("user")
        .first()
    )
    return row.user if row else None


# --- reads ------------------------------------------------------------------------------------


def approvals_visible_to(user: AnyUser) -> QuerySet[Approval]:
    return Approval.objects.filter(visible_through(user))


def approval_get(*, user: AnyUser, pk: Any) -> Approval:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    approval = (
        approvals_visible_to(user)
        .filter(pk=pk)
        .select_related("matter", "document", "requester", "approver", "decided_by")
        .first()
    )
    if approval is None:
        raise Http404
    return approval


@dataclass(frozen=True)
class Inbox:
    conflict_reviews: list[Matter]
    fee_agreements: list[Any]
    approvals: list[Approval]
    mine: list[Approval]

    @property
    def count(self) -> int:
        return len(self.conflict_reviews) + len(self.fee_agreements) + len(self.approvals)


def inbox(*, user: User) -> Inbox:
    """What waits for the user's decision, on matters they can see."""
    agreements = [
        a
        for a in agreements_visible_to(user)
        .filter(status="pending", approval_required=True)
        .select_related("matter")
        .order_by("id")[:50]
        if user.has_perm("billing.approve_agreement", a)
    ]
    pending = (
        approvals_visible_to(user)
        .filter(status=ApprovalStatus.PENDING, approver=user)
        .select_related("matter", "document", "requester")
        .order_by("created_at", "id")
    )
    mine = (
        approvals_visible_to(user)
        .filter(requester=user)
        .select_related("matter", "document", "approver", "decided_by")
        .order_by("-created_at", "-id")[:20]
    )
    return Inbox(
        conflict_reviews=intakes_awaiting_review(user=user),
        fee_agreements=agreements,
        approvals=list(pending),
        mine=list(mine),
    )


def matter_approvals(*, matter: Matter) -> QuerySet[Approval]:
    return Approval.objects.filter(matter=matter).select_related(
        "document", "requester", "approver", "decided_by"
    )


def archive_approved(
    matter: Matter, *, newest: list[Approval] | None = None, asked: int = 0
) -> bool:
    """The latest archiving approval was granted. `newest`: the first `asked` rows of
    `matter_approvals` (newest first), as the matter page has read them: the latest
    archiving approval is the first among them if any is; none exists if they are fewer
    than `asked`; otherwise it is read."""
    last: Approval | None = None
    if newest is not None:
        last = next((a for a in newest if a.kind == ApprovalKind.ARCHIVE), None)
    if last is None and (newest is None or len(newest) >= asked):
        last = (
            Approval.objects.filter(matter=matter, kind=ApprovalKind.ARCHIVE)
            .order_by("-created_at", "-id")
            .first()
        )
    return last is not None and last.status == ApprovalStatus.APPROVED


def archive_approval_missing(matter: Matter) -> list[tuple[str, str]]:
    """For `matters.archive.ARCHIVING_REQUIREMENTS`."""
    if archive_approved(matter):
        return []
    return [("archive_approval", _("Archiving approved by the responsible partner (归档审批)"))]


def agenda_source(*, user: User, start: date | None, end: date, mine_only: bool) -> list[Any]:
    """Pending approvals on the approver's agenda from the day they were asked."""
    tz = timezone.get_current_timezone()
    qs = approvals_visible_to(user).filter(status=ApprovalStatus.PENDING, approver=user)
    items = []
    for approval in qs.select_related("matter").order_by("created_at", "id"):
        day = timezone.localtime(approval.created_at, tz).date()
        if day > end or (start is not None and day < start):
            continue
        items.append(
            AgendaItem(
                kind="approval",
                day=day,
                at=None,
                title=str(approval.get_kind_display()),
                matter=approval.matter,
                priority=approval.matter.priority,
                obj=approval,
                url=f"/approvals/{approval.pk}/",
            )
        )
    return items


# --- writes -----------------------------------------------------------------------------------


def _notify_approver(approval: Approval) -> None:
    if approval.approver is None or approval.approver == approval.requester:
        return
    matter = approval.matter
    notification_send(
        user=approval.approver,
        kind=NotificationKind.APPROVAL_REQUESTED,
        text=_("%(kind)s on %(number)s %(title)s, asked by %(who)s.")
        % {
            "kind": approval.get_kind_display(),
            "number": matter.number,
            "title": matter.title,
            "who": approval.requester.display_name if approval.requester else "—",
        },
        key=f"approval:{approval.pk}",
        url=f"/approvals/{approval.pk}/",
        matter=matter,
    )


@transaction.atomic
def seal_request_create(
    *, actor: User, matter: Matter, document: Document, purpose: str
) -> Approval:
    if not actor.has_perm("reviews.request_seal", matter):
        raise NotAllowed("reviews.request_seal")
    errors: dict[str, list[str]] = {}
    purpose = " ".join(str(purpose or "").split())
    if not purpose:
        errors["purpose"] = [_("Say what the seal is for.")]
    elif len(purpose) > 500:
        errors["purpose"] = [_("At most %(n)d characters.") % {"n": 500}]
    if document is None or document.matter_id != matter.pk:
        errors["document"] = [_("Choose a document of this matter.")]
    if matter.status == Status.ARCHIVED:
        errors["__all__"] = [_("This matter is archived and can no longer change.")]
    if errors:
        raise ValidationError(errors)
    approval = Approval.objects.create(
        kind=ApprovalKind.SEAL,
        matter=matter,
        document=document,
        purpose=purpose,
        requester=actor,
        approver=_partner(matter),
    )
    audit_record(
        actor=actor,
        action="approval.request",
        obj=approval,
        matter_id=matter.pk,
        data={"kind": approval.kind, "document": document.pk, "purpose": purpose},
    )
    _notify_approver(approval)
    return approval


@transaction.atomic
def archive_approval_request(*, actor: User, matter: Matter, note: str = "") -> Approval:
    if not actor.has_perm("reviews.request_archiving", matter):
        raise NotAllowed("reviews.request_archiving")
    if matter.status != Status.CLOSED:
        raise ValidationError({"__all__": [_("Only a closed matter is archived.")]})
    existing = Approval.objects.filter(
        matter=matter, kind=ApprovalKind.ARCHIVE, status=ApprovalStatus.PENDING
    ).first()
    if existing is not None:
        return existing
    approval = Approval.objects.create(
        kind=ApprovalKind.ARCHIVE,
        matter=matter,
        purpose=" ".join(str(note or "").split())[:500],
        requester=actor,
        approver=_partner(matter),
    )
    audit_record(
        actor=actor,
        action="approval.request",
        obj=approval,
        matter_id=matter.pk,
        data={"kind": approval.kind},
    )
    _notify_approver(approval)
    return approval


@transaction.atomic
def approval_decide(*, actor: User, approval: Approval, approve: bool, note: str = "") -> Approval:
    """Approve or refuse (a refusal needs a reason). Only a pending request is decided, once:
    the guarded update makes a second decision a stale edit."""
    if not actor.has_perm("reviews.decide_approval", approval):
        raise NotAllowed("reviews.decide_approval")
    note = str(note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the request is refused.")]})
    if len(note) > 2000:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": 2000}]})
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    now = timezone.now()
    changed = Approval.objects.filter(pk=approval.pk, status=ApprovalStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, note=note
    )
    if not changed:
        raise StaleEdit
    approval.refresh_from_db()
    audit_record(
        actor=actor,
        action="approval.decide",
        obj=approval,
        matter_id=approval.matter_id,
        data={"kind": approval.kind, "decision": status, "note": note},
    )
    if approval.requester is not None and approval.requester != actor:
        matter = approval.matter
        notification_send(
            user=approval.requester,
            kind=NotificationKind.APPROVAL_REQUESTED,
            text=_("%(kind)s on %(number)s: %(decision)s. %(note)s")
            % {
                "kind": approval.get_kind_display(),
                "number": matter.number,
                "decision": approval.get_status_display(),
                "note": note,
            },
            key=f"approval_decided:{approval.pk}",
            url=f"/approvals/{approval.pk}/",
            matter=matter,
        )
    return approval


@transaction.atomic
def seal_file_back(*, actor: User, approval: Approval, upload: Any) -> Approval:
    """File the sealed document back: a new version of the named document."""
    if approval.kind != ApprovalKind.SEAL or approval.status != ApprovalStatus.APPROVED:
        raise ValidationError({"file": [_("Only an approved seal request is filed back.")]})
    if approval.sealed_version_id is not None:
        raise ValidationError({"file": [_("The sealed version is already filed.")]})
    assert approval.document is not None
    version = document_version_add(actor=actor, document=approval.document, upload=upload)
    Approval.objects.filter(pk=approval.pk).update(sealed_version=version)
    approval.refresh_from_db()
    audit_record(
        actor=actor,
        action="approval.seal_filed",
        obj=approval,
        matter_id=approval.matter_id,
        data={"version": version.number},
    )
    return approval
