"""Files in GridFS: written once under a deterministic id, recovered from a cut-short write."""

from __future__ import annotations

import os
from typing import Any

from gridfs import AsyncGridFSBucket

from shared.store import files


async def test_storing_the_same_file_twice_keeps_one_copy(db: Any) -> None:
    data = os.urandom(300_000)
    first = await files.put(db, "f1", "a.bin", "application/octet-stream", data)
    again = await files.put(db, "f1", "a.bin", "application/octet-stream", data)
    assert first.size == again.size == len(data)
    assert await files.read(db, "f1") == data
    assert (await files.describe(db, "f1")) == first


async def test_chunks_left_without_their_file_document_do_not_block_the_id(db: Any) -> None:
    data = os.urandom(600_000)
    bucket = AsyncGridFSBucket(db, bucket_name="files")
    await bucket.upload_from_stream_with_id("f2", "b.bin", data)
    await db["files.files"].delete_one({"_id": "f2"})  # a crash between chunks and the file doc
    stored = await files.put(db, "f2", "b.bin", "application/octet-stream", data)
    assert stored.size == len(data)
    assert await files.read(db, "f2") == data


async def test_a_stored_file_of_the_wrong_length_is_written_again(db: Any) -> None:
    data = os.urandom(50_000)
    await files.put(db, "f3", "c.bin", "application/octet-stream", data[:10])
    stored = await files.put(db, "f3", "c.bin", "application/octet-stream", data)
    assert stored.size == len(data) and await files.read(db, "f3") == data
