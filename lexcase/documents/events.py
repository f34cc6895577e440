"""Events of the documents app for the apps that index documents.

Sent with `sender=Document`: `document_text_changed` (document) when a document's title,
category, date or current text changed; `document_removed` (document_id) when it is gone;
`document_shared` (document) when the firm shares a document with the client (the portal
tells the client's contacts).
Receivers are connected in the reacting apps' `AppConfig.ready()` (`receivers.py`).
"""

from __future__ import annotations

from django.dispatch import Signal

document_text_changed = Signal()
document_removed = Signal()
document_shared = Signal()
