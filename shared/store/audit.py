"""The audit log: who changed what through the API or the console. Append-only: this module
inserts and reads, nothing updates or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING

from shared.domain.audit import AuditEntry
from shared.store.mongo import Database, db_errors, read_as, stamp, to_doc


async def ensure_indexes(db: Database) -> None:
    await db.audit.create_index([("at", DESCENDING)])
    await db.audit.create_index([("actor_id", ASCENDING), ("at", DESCENDING)])
    await db.audit.create_index([("action", ASCENDING), ("at", DESCENDING)])


async def append(db: Database, entry: AuditEntry) -> None:
    # the time as stamp() text, so ranges compare alike on MongoDB and the stand-in
    with db_errors("writing the audit log"):
        await db.audit.insert_one(to_doc(entry, at=stamp(entry.at)))


async def find(db: Database, *, actor_id: str | None = None, action: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 100) -> list[AuditEntry]:
    """Entries newest first; ``action`` matches exactly or, ending in ``.``, as a prefix."""
    query: dict[str, Any] = {}
    if actor_id:
        query["actor_id"] = actor_id
    if action:
        query["action"] = ({"$regex": "^" + action.replace(".", "\\.")} if action.endswith(".")
                           else action)
    if since or until:
        query["at"] = ({"$gte": stamp(since)} if since else {}) | \
            ({"$lt": stamp(until)} if until else {})
    with db_errors("reading the audit log"):
        docs = await db.audit.find(query).sort([("at", DESCENDING), ("_id", DESCENDING)]) \
            .limit(limit).to_list(None)
    return [read_as(AuditEntry, d) for d in docs]
