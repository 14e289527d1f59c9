"""Reading a ``multipart/form-data`` body that was already read whole (the recorder reads it)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass


@dataclass(frozen=True)
class FormPart:
    name: str
    content: bytes
    file_name: str | None
    content_type: str


def parse_form(content_type: str, body: bytes) -> list[FormPart]:
    """The parts in order; empty when the body is not multipart/form-data."""
    if not content_type.lower().startswith("multipart/form-data"):
        return []
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    if not message.is_multipart():
        return []
    parts: list[FormPart] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        parts.append(FormPart(name=name, content=payload, file_name=part.get_filename(),
                              content_type=part.get_content_type()))
    return parts
