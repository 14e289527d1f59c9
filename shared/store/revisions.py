"""Revisions of comments: edits and deletions made in WhatsApp, one document each.

The comment keeps its original text; every change is added here, nothing is removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Database, db_errors, read_as


class Revision(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    comment_id: str
    kind: Literal["edited", "deleted"]
    at: datetime
    text: str | None = None


async def ensure_indexes(db: Database) -> None:
    await db.comment_revisions.create_index([("comment_id", ASCENDING), ("at", ASCENDING)])


async def add(db: Database, revision: Revision) -> bool:
    doc: dict[str, Any] = msgspec.to_builtins(revision, builtin_types=(datetime,))
    doc["_id"] = doc.pop("id")
    with db_errors("recording a revision"):
        try:
            await db.comment_revisions.insert_one(doc)
        except DuplicateKeyError:
            return False
    return True


async def of_comment(db: Database, comment_id: str) -> list[Revision]:
    with db_errors("listing revisions"):
        docs = await db.comment_revisions.find({"comment_id": comment_id}) \
            .sort("at", ASCENDING).to_list(None)
    out = []
    for doc in docs:
        doc["id"] = doc.pop("_id")
        out.append(read_as(Revision, doc))
    return out
