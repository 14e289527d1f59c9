"""Response clocks (one per task), their deadline shown on the task, and the facts reports
are made of (one document each: an assignment, a response, a breach, a forward, a close).

A clock is replaced whole with its version ``seq`` as a precondition (dates keep their type on
the stand-in; two handlers changing one task's clock at once: the second reads it again). The
deadline is copied onto the task (``sla_due_at``, ``sla_kind``) for the inbox's "due soonest"
order and the task card. Facts carry deterministic ids, so a repeated step records nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.desk import Fact
from shared.domain.sla import Clock
from shared.store.mongo import Database, db_errors, read_as, set_or_unset, stamp, to_doc


async def ensure_indexes(db: Database) -> None:
    await db.desk_facts.create_index([("at", ASCENDING)])
    await db.tasks.create_index([("sla_due_at", ASCENDING)], sparse=True)


async def clock(db: Database, task_id: str) -> Clock | None:
    with db_errors("reading a response clock"):
        doc = await db.sla_clocks.find_one({"_id": task_id})
    return read_as(Clock, {k: v for k, v in doc.items() if k != "_id"}) if doc else None


async def save_clock(db: Database, item: Clock) -> bool:
    """Store ``item`` as the next version after ``item.seq``; False when another write got
    there first (read again and redo)."""
    doc: dict[str, Any] = msgspec.to_builtins(msgspec.structs.replace(item, seq=item.seq + 1),
                                              builtin_types=(datetime,))
    doc["_id"] = item.task_id
    with db_errors("saving a response clock"):
        if item.seq == 0:
            try:
                await db.sla_clocks.insert_one(doc)
            except DuplicateKeyError:
                return False
            return True
        result = await db.sla_clocks.replace_one({"_id": item.task_id, "seq": item.seq}, doc)
    return result.matched_count == 1


async def show_deadline(db: Database, task_id: str, due_at: datetime | None,
                        kind: str | None) -> None:
    """The deadline on the task (removed when the clock does not run)."""
    update = set_or_unset({}, {"sla_due_at": stamp(due_at) if due_at else None,
                               "sla_kind": kind if due_at else None})
    if not update["$set"]:
        del update["$set"]
    with db_errors("showing a deadline on a task"):
        await db.tasks.update_one({"_id": task_id}, update)


async def add_fact(db: Database, fact: Fact) -> None:
    doc = to_doc(fact) | {"at": stamp(fact.at)}
    with db_errors("recording a report fact"):
        try:
            await db.desk_facts.insert_one(doc)
        except DuplicateKeyError:
            pass  # recorded by an earlier attempt


async def facts(db: Database, since: datetime, until: datetime, limit: int = 200_000
                ) -> list[Fact]:
    """The facts of a period (an index range; the report reduces them)."""
    with db_errors("reading report facts"):
        docs = await db.desk_facts.find(
            {"at": {"$gte": stamp(since), "$lt": stamp(until)}}).sort("at", ASCENDING) \
            .limit(limit).to_list(None)
    return [read_as(Fact, d) for d in docs]
