"""Permission-scoped reads of documents: everything goes through the matters gate."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lexcase.accounts.models import AnyUser
from lexcase.documents.models import Category, Document, DocumentVersion
from lexcase.matters.models import Matter
from lexcase.matters.selectors import visible_through


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
    for document in matter_documents(matter=matter):
        groups.setdefault(document.category, []).append(document)
    labels = dict(Category.choices)
    return [(str(labels.get(key, key)), docs) for key, docs in groups.items() if docs]
