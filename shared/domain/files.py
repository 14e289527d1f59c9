"""Attachments: a stored file linked to a comment, with the state of its transfer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

AttachmentState = Literal["pending", "waiting", "stored", "failed"]


class AttachmentRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    comment_id: str
    task_id: str
    file_name: str
    mime_type: str
    state: AttachmentState
    size: int | None = None
    sha256: str | None = None
    reason: str | None = None
    retry_at: datetime | None = None


class StoredFile(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    file_name: str
    mime_type: str
    size: int


class Upload(msgspec.Struct, frozen=True, kw_only=True):
    """A file a person attached to a comment, checked for type and size but not stored yet."""

    file_name: str
    mime_type: str
    content: bytes
