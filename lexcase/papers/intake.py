"""Court SMS / 电子送达 intake: reads and writes of `CourtMessage`, matched to matters through
the gate. A message on a matter is seen by whoever sees the matter; an unmatched one by the
lawyer who pasted it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import AnyUser, User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed
from lexcase.core.fixedsql import fixed_rows
from lexcase.matters.models import CourtCaseNumber, Matter, MatterParty, Status
from lexcase.matters.retention import scrub_names
from lexcase.matters.selectors import matters_visible_to, visible_through
from lexcase.papers.court_sms import parse_court_message, split_messages
from lexcase.papers.models import CourtMessage, MatchedBy

MAX_MESSAGES = 50
MAX_MESSAGE_CHARS = 5000  # one message; a real SMS or notice is a few hundred
MAX_CANDIDATES = 10


def court_messages_visible_to(user: AnyUser) -> QuerySet[CourtMessage]:
    if not getattr(user, "pk", None):
        return CourtMessage.objects.none()
    return CourtMessage.objects.filter(
        visible_through(user) | Q(matter__isnull=True, created_by=user)
    )


def court_message_get(*, user: AnyUser, pk: Any) -> CourtMessage:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    message = court_messages_visible_to(user).select_related("matter").filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


def court_message_read(*, user: User, pk: Any) -> CourtMessage:
    """`court_message_get` for its page: the read is audited (`court_message.view`), as a
    matter page is (the text names the parties, the court and the hearing)."""
    message = court_message_get(user=user, pk=pk)
    audit_record(actor=user, action="court_message.view", obj=message, matter_id=message.matter_id)
    return message


def matter_court_messages(*, matter: Matter) -> QuerySet[CourtMessage]:
    # `matter` comes from matter_get, so it has passed the gate already.
    return CourtMessage.objects.filter(matter=matter)


def matter_court_message_rows(*, matter: Matter, limit: int) -> list[CourtMessage]:
    """The first `limit` of `matter_court_messages` (a fixed read: core.fixedsql)."""
    return fixed_rows(
        ("papers.court_messages", limit),
        lambda m: matter_court_messages(matter=m)[:limit],
        matter,
    )


def candidate_matters(*, user: AnyUser, ids: list[int]) -> list[Matter]:
    found = {m.pk: m for m in matters_visible_to(user).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def _match(*, user: User, case_number: str, text: str) -> tuple[Matter | None, str, list[int]]:
    """By 案号 first; when no visible matter has it, by the names of parties of visible,
    unarchived matters that appear in the text (the matter with the most names wins, a tie
    leaves the candidates to the lawyer)."""
    visible = matters_visible_to(user).exclude(status=Status.ARCHIVED)
    if case_number:
        ids = list(
            CourtCaseNumber.objects.filter(number=case_number, matter__in=visible)
            .values_list("matter_id", flat=True)
            .distinct()
        )
        if len(ids) == 1:
            return visible.get(pk=ids[0]), MatchedBy.CASE_NUMBER, []
        if ids:
            return None, MatchedBy.NONE, sorted(ids)[:MAX_CANDIDATES]
    hits = (
        MatterParty.objects.filter(matter__in=visible)
        .annotate(message=Value(text, output_field=CharField()), name_length=Length("party__name"))
        .filter(name_length__gte=2, message__contains=F("party__name"))
        .values_list("matter_id", "party__name")
        .distinct()
    )
    counts = Counter(matter_id for matter_id, _name in hits)
    if not counts:
        return None, MatchedBy.NONE, []
    ranked = counts.most_common()
    if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
        return visible.get(pk=ranked[0][0]), MatchedBy.PARTY, []
    best = ranked[0][1]
    return None, MatchedBy.NONE, sorted(m for m, n in ranked if n == best)[:MAX_CANDIDATES]


def _apply_parse(*, actor: User, message: CourtMessage) -> None:
    parsed = parse_court_message(message.text, received=message.received_on)
    message.court = parsed.court[:100]
    message.case_number = parsed.case_number
    message.kind = parsed.kind
    message.event_date = parsed.event_date
    message.event_time = parsed.event_time
    message.link = parsed.link[:500]
    message.parsed_at = timezone.now()
    if message.matched_by == MatchedBy.MANUAL:
        return  # a lawyer's choice is never overwritten by the rules
    matter, matched_by, candidates = _match(
        user=actor, case_number=parsed.case_number, text=message.text
    )
    message.matter, message.matched_by, message.candidates = matter, matched_by, candidates


@transaction.atomic
def court_messages_intake(*, actor: User, text: str) -> list[CourtMessage]:
    """Parse and match one or several pasted messages."""
    if not actor.has_perm("papers.intake_court_message"):
        raise NotAllowed
    parts = split_messages(text or "")
    if not parts:
        raise ValidationError({"text": [_("Paste the court's message.")]})
    if len(parts) > MAX_MESSAGES:
        raise ValidationError(
            {"text": [_("At most %(n)s messages at once.") % {"n": MAX_MESSAGES}]}
        )
    if any(len(part) > MAX_MESSAGE_CHARS for part in parts):
        # Never cut silently: a court message is evidence of what the court said.
        raise ValidationError({"text": [_("At most %(n)d characters.") % {"n": MAX_MESSAGE_CHARS}]})
    created = []
    for part in parts:
        message = CourtMessage(text=part, received_on=timezone.localdate(), created_by=actor)
        _apply_parse(actor=actor, message=message)
        message.save()
        audit_record(
            actor=actor,
            action="court_message.intake",
            obj=message,
            matter_id=message.matter_id,
            data={
                "case_number": message.case_number,
                "kind": message.kind,
                "matched_by": message.matched_by,
            },
        )
        created.append(message)
    return created


@transaction.atomic
def court_message_reparse(*, actor: User, message: CourtMessage) -> CourtMessage:
    """Run the rules again (after they improved, or after a 案号 was added to a matter); a
    match chosen by hand stays."""
    if not actor.has_perm("papers.intake_court_message"):
        raise NotAllowed
    message = CourtMessage.objects.select_for_update().get(pk=message.pk)
    before = (message.matter, message.matched_by, message.candidates)
    _apply_parse(actor=actor, message=message)
    if (
        message.matter is not None
        and message.matter_id != getattr(before[0], "pk", None)
        and not actor.has_perm("papers.file_court_message", message.matter)
    ):
        # The rules ran with this reader's view (a partner sees every open file): a matter
        # they may not file on by hand is not theirs to file on by rule either.
        message.matter, message.matched_by, message.candidates = before
    message.save()
    moved_from = getattr(before[0], "pk", None)
    if message.matter_id != moved_from:
        audit_record(
            actor=actor,
            action="court_message.reparse",
            obj=message,
            matter_id=message.matter_id or moved_from,
            data={
                "from_matter": moved_from,
                "to_matter": message.matter_id,
                "matched_by": message.matched_by,
            },
        )
    return message


@transaction.atomic
def court_message_match(*, actor: User, message: CourtMessage, matter: Matter) -> CourtMessage:
    """File the message on `matter` by hand (`matter` passed the gate)."""
    if not actor.has_perm("papers.file_court_message", matter):
        raise NotAllowed
    message = CourtMessage.objects.select_for_update().get(pk=message.pk)
    message.matter, message.matched_by, message.candidates = matter, MatchedBy.MANUAL, []
    message.save(update_fields=["matter", "matched_by", "candidates"])
    audit_record(
        actor=actor,
        action="court_message.match",
        obj=message,
        matter_id=matter.pk,
        data={"case_number": message.case_number},
    )
    return message


def court_messages_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person on these matters: their names leave the court
    messages filed on them (the pasted text names the parties)."""
    changed = 0
    for message in CourtMessage.objects.filter(matter_id__in=matter_ids).only("pk", "text"):
        text = scrub_names(message.text, names, placeholder)
        if text != message.text:
            CourtMessage.objects.filter(pk=message.pk).update(text=text)
            changed += 1
    return changed
