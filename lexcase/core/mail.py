"""Development mail that a person can read: each message a UTF-8 text file under var/mail/.

Django's file backend writes the MIME form (encoded headers, possibly base64 bodies), which
hides the Chinese text and the links a developer is looking for. Deployments send by SMTP.
"""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.message import EmailMessage


class ReadableFileBackend(FileEmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
        ]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        lines += [f"Subject: {message.subject}", "", str(message.body)]
        for attachment in message.attachments:
            lines.append(f"[attachment: {_attachment_name(attachment)}]")
        text = "\n".join(lines) + "\n" + "-" * 79 + "\n"
        # FileEmailBackend opens its file in binary mode ("ab"); the stubs give every
        # backend's stream the console backend's TextIO.
        self.stream.write(text.encode("utf-8"))  # type: ignore[arg-type]


def _attachment_name(attachment: Any) -> str:
    return str(getattr(attachment, "filename", None) or attachment[0] or "unnamed")
