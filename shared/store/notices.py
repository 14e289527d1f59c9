"""Notices to people: an idle task forwarded away from them, a deadline missed in their
group, a 24-hour window about to close. One document per (person, notice)."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.desk import Notice
from shared.store.mongo import Database, db_errors, read_as, stamp, to_doc


async def ensure_indexes(db: Database) -> None:
    await db.notices.create_index([("user_id", ASCENDING), ("at", DESCENDING)])


async def add(db: Database, notice: Notice) -> None:
    with db_errors("recording a notice"):
        try:
            await db.notices.insert_one(to_doc(notice) | {"at": stamp(notice.at)})
        except DuplicateKeyError:
            pass


async def of_user(db: Database, user_id: str, limit: int = 50) -> list[Notice]:
    with db_errors("reading notices"):
        docs = await db.notices.find({"user_id": user_id}).sort("at", DESCENDING) \
            .limit(limit).to_list(None)
    return [read_as(Notice, d) for d in docs]
