"""Notices to people: an idle task forwarded away from them, a deadline missed in their
group, a 24-hour window about to close. One document per (person, notice)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.desk import Notice
from shared.store.mongo import Database, db_errors, eq, read_as, stamp, to_doc


async def ensure_indexes(db: Database) -> None:
    await db.notices.create_index([("user_id", ASCENDING), ("at", DESCENDING)])
    await db.notices.create_index([("user_id", ASCENDING), ("read", ASCENDING)])


async def add(db: Database, notice: Notice) -> None:
    with db_errors("recording a notice"):
        try:
            await db.notices.insert_one(to_doc(notice) | {"at": stamp(notice.at),
                                                           "read": notice.read})
        except DuplicateKeyError:
            pass


async def of_user(db: Database, user_id: str, limit: int = 50) -> list[Notice]:
    with db_errors("reading notices"):
        docs = await db.notices.find({"user_id": eq(user_id)}).sort("at", DESCENDING) \
            .limit(limit).to_list(None)
    return [read_as(Notice, d) for d in docs]


def _unread_of(user_id: str) -> dict[str, Any]:
    # notices kept before the read mark existed have no field and are unread; spelled as
    # ``$or`` because the stand-in's updates do not match a missing field by ``$ne``
    return {"user_id": user_id, "$or": [{"read": False}, {"read": {"$exists": False}}]}


async def unread_count(db: Database, user_id: str) -> int:
    with db_errors("counting notices"):
        return int(await db.notices.count_documents(_unread_of(user_id)))


async def mark_read(db: Database, user_id: str, ids: list[str] | None) -> int:
    """Mark the person's notices ``ids`` (all of theirs when None) read; how many changed."""
    # by ids without the unread test: the stand-in's updates drop an ``_id`` condition
    # that comes with an ``$or``
    query = _unread_of(user_id) if ids is None else {"_id": {"$in": ids}, "user_id": user_id}
    with db_errors("marking notices read"):
        result = await db.notices.update_many(query, {"$set": {"read": True}})
    return int(result.modified_count)
