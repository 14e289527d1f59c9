"""Attachments: a stored file linked to a comment, with the state of its transfer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.message_parts import Attachment, derive_id

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
    # the stored file shown, when it is not the record's own id: one stored file shown by
    # many comments (a bot answer's file) has a record per comment pointing at it
    stored_file_id: str | None = None

    @property
    def stored_id(self) -> str:
        """The id of the bytes in the file store."""
        return self.stored_file_id or self.id


def shown_file(comment_id: str, task_id: str, file: Attachment) -> AttachmentRecord:
    """A comment's record of a file stored already (the bot's answer file): its own id, so
    every comment that sent the file lists it, and the stored file it points at, not a copy."""
    return AttachmentRecord(
        id=derive_id("comment-file", comment_id, file.file_id), comment_id=comment_id,
        task_id=task_id, file_name=file.file_name, mime_type=file.mime_type, state="stored",
        size=file.size, stored_file_id=file.file_id)


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
