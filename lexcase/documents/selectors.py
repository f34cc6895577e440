"""Permission-scoped reads of documents: everything goes through the matters gate."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lexcase.accounts.models import AnyUser
from lexcase.core.fixedsql import fixed_rows
from lexcase.documents.models import Category, Document, DocumentVersion
from lexcase.matters.extensions import matter_page_peek, matter_page_read
from lexcase.matters.models import Matter
from lexcase.matters.selectors import visible_through

# The matter page's read of its documents (matters.extensions.matter_page_read): the
# documents card and the communication form's choices share it.
PAGE_DOCUMENTS = "documents.current"


def documents_visible_to(user: AnyUser) -> QuerySet[Document]:
    # `current` is set in the upload transaction, so a document without one never existed
    # as far as readers are concerned.
    return Document.objects.filter(visible_through(user), current__isnull=False)


def document_get(*, user: AnyUser, pk: Any) -> Document:
    """The document if `user` may see its matter; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    document = documents_visible_to(user).select_related("matter", "current").filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def version_get(*, user: AnyUser, pk: Any) -> DocumentVersion:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    version = (
        DocumentVersion.objects.filter(visible_through(user, field="document__matter"), pk=pk)
        .select_related("document", "document__matter")
        .first()
    )
    if version is None:
        raise Http404
    return version


def document_versions(*, document: Document) -> QuerySet[DocumentVersion]:
    # `document` comes from document_get, so it has passed the gate already.
    return document.versions.select_related("uploaded_by").order_by("-number")


def matter_documents(*, matter: Matter) -> QuerySet[Document]:
    # `matter` comes from matter_get, so it has passed the gate already.
    return (
        Document.objects.filter(matter=matter, current__isnull=False)
        .select_related("current", "current__uploaded_by")
        .order_by("category", "-updated_at", "-id")
    )


def matter_documents_by_category(*, matter: Matter) -> list[tuple[str, list[Document]]]:
    groups: OrderedDict[str, list[Document]] = OrderedDict((c.value, []) for c in Category)
    rows = matter_page_read(
        matter,
        PAGE_DOCUMENTS,
        lambda: fixed_rows(PAGE_DOCUMENTS, lambda m: matter_documents(matter=m), matter),
    )
    for document in rows:
        groups.setdefault(document.category, []).append(document)
    labels = dict(Category.choices)
    return [(str(labels.get(key, key)), docs) for key, docs in groups.items() if docs]


def matter_document_choices(*, matter: Matter, limit: int) -> list[tuple[int, str]]:
    """(id, title) of the first `limit` documents in `matter_documents` order; from the
    matter page's read when there is one."""
    rows: list[Document] | None = matter_page_peek(matter, PAGE_DOCUMENTS)
    if rows is None:
        return list(matter_documents(matter=matter).values_list("pk", "title")[:limit])
    return [(d.pk, d.title) for d in rows[:limit]]


def matter_document_titles(*, matter: Matter, ids: set[int]) -> dict[int, str]:
    """The titles of the matter's documents among `ids` (with or without a current version,
    as a communication's attachments are listed); the matter page's read answers for those
    it holds."""
    rows: list[Document] | None = matter_page_peek(matter, PAGE_DOCUMENTS)
    titles = {d.pk: d.title for d in rows or () if d.pk in ids}
    missing = ids - titles.keys()
    if missing:
        titles.update(
            Document.objects.filter(matter=matter, pk__in=missing).values_list("pk", "title")
        )
    return titles
