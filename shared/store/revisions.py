"""Revisions of comments: edits and deletions made in WhatsApp, one document each.

The comment keeps its original text; every change is added here, nothing is removed.
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.comments import Revision
from shared.store.mongo import Database, db_errors, eq, read_as, to_doc

__all__ = ["Revision"]


async def ensure_indexes(db: Database) -> None:
    await db.comment_revisions.create_index([("comment_id", ASCENDING), ("at", ASCENDING)])


async def add(db: Database, revision: Revision) -> bool:
    doc = to_doc(revision)
    with db_errors("recording a revision"):
        try:
            await db.comment_revisions.insert_one(doc)
        except DuplicateKeyError:
            return False
    return True


async def of_comment(db: Database, comment_id: str) -> list[Revision]:
    with db_errors("listing revisions"):
        docs = await db.comment_revisions.find({"comment_id": eq(comment_id)}) \
            .sort("at", ASCENDING).to_list(None)
    return [read_as(Revision, doc) for doc in docs]
