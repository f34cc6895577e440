"""Reads of the document templates (firm-wide, no matter involved) and of a matter's
generated papers (the matter has passed the gate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db.models import QuerySet
from django.http import Http404

from lexcase.core.fixedsql import fixed_rows
from lexcase.matters.models import Matter
from lexcase.papers.models import DocumentTemplate, Generation
from lexcase.papers.sandbox import template_check
from lexcase.papers.starter import STARTERS, starter_content


@dataclass(frozen=True)
class TemplateChoice:
    key: str
    name: str
    category: str
    builtin: bool
    fields: list[str] = field(default_factory=list)
    description: str = ""
    version_no: int | None = None
    version_id: int | None = None
    uploaded_at: datetime | None = None
    active: bool = True


@cache
def _starter_fields(key: str) -> list[str]:
    return template_check(starter_content(key))


def _from_row(row: DocumentTemplate) -> TemplateChoice:
    version = row.current
    return TemplateChoice(
        key=row.key,
        name=row.name,
        category=row.category,
        builtin=False,
        fields=list(version.fields) if version else [],
        description=row.description,
        version_no=version.number if version else None,
        version_id=version.pk if version else None,
        uploaded_at=version.uploaded_at if version else None,
        active=row.active,
    )


def templates_available(*, include_inactive: bool = False) -> list[TemplateChoice]:
    """The firm's templates: uploaded ones, then the built-in starters no upload replaced."""
    # One read: every template row (an upload replaces its starter even before it has a
    # current version), the ones with a current version listed.
    rows = fixed_rows(
        "papers.templates",
        lambda: DocumentTemplate.objects.select_related("current").defer("current__content"),
    )
    choices = [
        _from_row(r) for r in rows if r.current_id is not None and (include_inactive or r.active)
    ]
    replaced = {r.key for r in rows}
    choices += [
        TemplateChoice(
            key=s.key,
            name=s.name,
            category=s.category,
            builtin=True,
            fields=_starter_fields(s.key),
        )
        for s in STARTERS.values()
        if s.key not in replaced
    ]
    return sorted(choices, key=lambda c: (c.builtin, c.name))


def template_get(*, key: str) -> TemplateChoice:
    """An active template by key; 404 otherwise."""
    row = (
        DocumentTemplate.objects.filter(key=key, current__isnull=False)
        .select_related("current")
        .defer("current__content")
        .first()
    )
    if row is not None:
        if not row.active:
            raise Http404
        return _from_row(row)
    if key in STARTERS and not DocumentTemplate.objects.filter(key=key).exists():
        s = STARTERS[key]
        return TemplateChoice(
            key=s.key, name=s.name, category=s.category, builtin=True, fields=_starter_fields(key)
        )
    raise Http404


def template_content(choice: TemplateChoice) -> bytes:
    if choice.builtin:
        return starter_content(choice.key)
    row = DocumentTemplate.objects.select_related("current").get(key=choice.key)
    assert row.current is not None
    return bytes(row.current.content)


def matter_generations(*, matter: Matter) -> QuerySet[Generation]:
    # `matter` comes from matter_get, so it has passed the gate already.
    return Generation.objects.filter(matter=matter).select_related("document", "created_by")


def matter_generation_rows(*, matter: Matter, limit: int) -> list[Generation]:
    """The first `limit` of `matter_generations` (a fixed read: core.fixedsql)."""
    return fixed_rows(
        ("papers.generations", limit), lambda m: matter_generations(matter=m)[:limit], matter
    )
