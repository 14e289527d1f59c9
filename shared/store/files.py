"""Files (GridFS bucket ``files``) and their attachment records (one document per file).

An attachment links a stored file to a comment and tracks its state: ``pending`` while an
inbound file is being fetched from the gateway, ``stored`` once its bytes are in GridFS, or
``failed`` with the reason. The bytes are written once under a deterministic id, so a retried
download never stores a second copy.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from gridfs import AsyncGridFSBucket
from gridfs.errors import FileExists, NoFile
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, OperationFailure

from shared.domain.files import AttachmentRecord, AttachmentState, StoredFile
from shared.errors import RetryableError
from shared.store.mongo import Database, db_errors, read_as, set_or_unset, stamp, to_doc

__all__ = ["AttachmentRecord", "AttachmentState", "StoredFile"]

def _bucket(db: Database) -> AsyncGridFSBucket:
    return AsyncGridFSBucket(db, bucket_name="files")


async def ensure_indexes(db: Database) -> None:
    await db.attachments.create_index([("task_id", ASCENDING)])
    await db.attachments.create_index([("comment_id", ASCENDING)])


async def put(
    db: Database, file_id: str, file_name: str, mime_type: str, data: bytes
) -> StoredFile:
    """Store bytes under ``file_id`` unless they are there already (idempotent).

    A write cut short (chunks without their file document, or a wrong length) is discarded
    and written again, so a crash mid-upload never blocks the id for good.
    """
    existing = await describe(db, file_id)
    if existing is not None and existing.size == len(data):
        return existing
    bucket = _bucket(db)
    metadata = {"mime_type": mime_type, "sha256": hashlib.sha256(data).hexdigest()}
    with db_errors("storing a file"):
        for attempt in (1, 2):
            if existing is not None or attempt == 2:
                with contextlib.suppress(NoFile, OperationFailure):
                    await bucket.delete(file_id)  # removes orphaned chunks as well
            try:
                await bucket.upload_from_stream_with_id(file_id, file_name, data,
                                                        metadata=metadata)
                break
            except (FileExists, DuplicateKeyError, OperationFailure):
                if attempt == 2:
                    raise
        stored = await describe(db, file_id)
    if stored is None or stored.size != len(data):
        raise RetryableError(f"file {file_id} ({file_name}) was not stored whole",
                             code="FILE_INCOMPLETE")
    return stored


async def describe(db: Database, file_id: str) -> StoredFile | None:
    with db_errors("reading a file's metadata"):
        doc = await db["files.files"].find_one({"_id": file_id})
    if doc is None:
        return None
    meta = doc.get("metadata") or {}
    return StoredFile(id=file_id, file_name=doc.get("filename") or file_id,
                      mime_type=meta.get("mime_type") or "application/octet-stream",
                      size=int(doc.get("length") or 0))


async def read(db: Database, file_id: str) -> bytes | None:
    with db_errors("reading a file"):
        try:
            stream = await _bucket(db).open_download_stream(file_id)
        except (NoFile, OperationFailure):
            return None
        data: bytes = await stream.read()
        return data


async def chunks(db: Database, file_id: str) -> AsyncIterator[bytes]:
    """The file's bytes in GridFS chunks, for streaming responses."""
    with db_errors("reading a file"):
        stream = await _bucket(db).open_download_stream(file_id)
        while chunk := await stream.readchunk():
            yield chunk


async def add_attachment(db: Database, record: AttachmentRecord) -> None:
    doc = to_doc(record)
    with db_errors("recording an attachment"):
        try:
            await db.attachments.insert_one(doc)
        except DuplicateKeyError:
            pass


async def set_state(db: Database, file_id: str, state: AttachmentState, *,
                    size: int | None = None, mime_type: str | None = None,
                    reason: str | None = None, retry_at: datetime | None = None) -> bool:
    """Record a fetch outcome; a stored attachment never goes back to pending or failed."""
    known = {k: v for k, v in (("size", size), ("mime_type", mime_type)) if v is not None}
    update = set_or_unset({"state": state} | known, {
        "reason": reason, "retry_at": stamp(retry_at) if retry_at else None})
    query: dict[str, Any] = {"_id": file_id}
    if state != "stored":
        query["state"] = {"$in": ["pending", "waiting", "failed"]}
    with db_errors("updating an attachment"):
        result = await db.attachments.update_one(query, update)
        if result.matched_count:
            return True
        return await db.attachments.find_one({"_id": file_id}, {"_id": 1}) is not None


async def of_task(db: Database, task_id: str) -> list[AttachmentRecord]:
    with db_errors("listing attachments"):
        docs = await db.attachments.find({"task_id": task_id}).to_list(None)
    return [_record(d) for d in docs]


async def of_comment(db: Database, comment_id: str) -> list[AttachmentRecord]:
    with db_errors("listing attachments"):
        docs = await db.attachments.find({"comment_id": comment_id}).sort("_id", 1).to_list(None)
    return [_record(d) for d in docs]


async def get_attachment(db: Database, file_id: str) -> AttachmentRecord | None:
    with db_errors("reading an attachment"):
        doc = await db.attachments.find_one({"_id": file_id})
    return _record(doc) if doc else None


def _record(doc: dict[str, Any]) -> AttachmentRecord:
    return read_as(AttachmentRecord, doc)


async def of_comments(db: Database, comment_ids: list[str], task_id: str | None = None
                      ) -> list[AttachmentRecord]:
    """The files of these comments; of one task's comments by the task's index, since the
    stand-in runs ``$in`` as a scan of every attachment (see ``mongo.eq``)."""
    if not comment_ids:
        return []
    with db_errors("listing attachments"):
        if task_id is None:
            docs = await db.attachments.find({"comment_id": {"$in": comment_ids}}).to_list(None)
        else:
            wanted = set(comment_ids)
            docs = [d for d in await db.attachments.find({"task_id": task_id}).to_list(None)
                    if d.get("comment_id") in wanted]
    return [_record(d) for d in docs]
