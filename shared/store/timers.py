"""Durable timers: one document per pending timer, found through an index on its due time.

``_id`` is the timer's key (``sla:<task>``, ``idle:<task>``, ``drain:<group>``...), so arming
again moves the one timer instead of adding another, and cancelling is one delete. A replica
claims the earliest due timer atomically by pushing its due time one lease ahead
(``find_one_and_update`` on the due-time index, no upsert): no other replica sees it as due
until the lease passes, and if the claimer dies it comes due again by itself. Firing ends with
a delete conditioned on the arm count ``seq``, so a timer re-armed while it fired stays.
Times are fixed-width UTC text (``stamp``): they sort and compare the same on MongoDB and on
the stand-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument

from shared.domain.desk import Timer
from shared.store.mongo import Database, db_errors, read_as, set_or_unset, stamp


async def ensure_indexes(db: Database) -> None:
    await db.timers.create_index([("due_at", ASCENDING)])


async def arm(db: Database, key: str, kind: str, due_at: datetime, *, task_id: str | None = None,
              group_id: str | None = None, user_id: str | None = None) -> None:
    """Create the timer, or move it to ``due_at`` with this payload."""
    update = set_or_unset({"kind": kind, "due_at": stamp(due_at), "attempts": 0},
                          {"task_id": task_id, "group_id": group_id, "user_id": user_id})
    update["$inc"] = {"seq": 1}
    with db_errors("arming a timer"):
        await db.timers.update_one({"_id": key}, update, upsert=True)


async def cancel(db: Database, key: str) -> None:
    with db_errors("cancelling a timer"):
        await db.timers.delete_one({"_id": key})


async def claim_due(db: Database, now: datetime, lease: timedelta) -> Timer | None:
    """The earliest timer due by ``now`` (as it was armed: ``due_at`` is when it came due),
    leased to the caller: its stored due time moves one lease ahead, or further after failed
    attempts; None when nothing is due."""
    with db_errors("claiming a due timer"):
        doc = await db.timers.find_one_and_update(
            {"due_at": {"$lte": stamp(now)}},
            {"$set": {"due_at": stamp(now + lease)}, "$inc": {"attempts": 1}},
            sort=[("due_at", ASCENDING)], return_document=ReturnDocument.BEFORE)
    if doc is None:
        return None
    timer = _timer(doc | {"attempts": int(doc.get("attempts", 0)) + 1})
    if timer.due_at > now:
        # not due yet: the nx-27017 stand-in compares these stamps to the second, so it hands
        # out a timer up to a second early. Put it back as it was (unless re-armed meanwhile);
        # the scheduler naps until it is due and claims it then.
        with db_errors("putting back an early timer"):
            await db.timers.update_one({"_id": timer.id, "seq": timer.seq},
                                       {"$set": {"due_at": doc["due_at"]},
                                        "$inc": {"attempts": -1}})
        return None
    if timer.attempts > 1:  # fired before and failed: wait longer each time (at most an hour)
        backoff = min(3600.0, lease.total_seconds() * 2 ** min(timer.attempts - 1, 12))
        with db_errors("backing off a timer"):
            await db.timers.update_one({"_id": timer.id, "seq": timer.seq},
                                       {"$set": {"due_at": stamp(now + timedelta(
                                           seconds=backoff))}})
    return timer


async def finish(db: Database, timer: Timer) -> None:
    """The timer fired: gone, unless it was armed again meanwhile."""
    with db_errors("finishing a timer"):
        await db.timers.delete_one({"_id": timer.id, "seq": timer.seq})


async def next_due(db: Database) -> datetime | None:
    """When the earliest timer comes due (one index read)."""
    with db_errors("reading the next timer"):
        doc = await db.timers.find_one({}, {"due_at": 1}, sort=[("due_at", ASCENDING)])
    return _timer(doc | {"kind": "", "_id": ""}).due_at if doc else None


async def get(db: Database, key: str) -> Timer | None:
    with db_errors("reading a timer"):
        doc = await db.timers.find_one({"_id": key})
    return _timer(doc) if doc else None


def _timer(doc: dict[str, Any]) -> Timer:
    return read_as(Timer, doc)
