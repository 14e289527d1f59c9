"""What wabridge keeps of First Form (routing state only): our task and comment ids ↔ First
Form's, each task's feed cursor, and the claims that make creations happen once.

``first_form_tasks`` and ``first_form_comments`` hold one document per task/comment we know of.
A creation first *claims* its document (a lease, single-document atomic) and counts the attempt;
an attempt after the first looks in First Form for what an interrupted one may have done before
creating anything. ``first_form_leases`` elects the one replica that polls the feeds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Database, db_errors, stamp

NEVER = stamp(datetime(2000, 1, 1, tzinfo=UTC))


class Link(msgspec.Struct, kw_only=True):
    """One of our tasks or comments and First Form's id for it (once known)."""

    id: str
    task_id: str = ""
    ff_id: int | None = None
    attempts: int = 0
    cursor: int = 0  # tasks: the newest feed comment id handled
    state_id: int | None = None  # tasks: the state First Form reported last
    open: bool = False  # tasks: polled while open
    closed_at: str | None = None  # tasks: when wabridge recorded the close (a stamp)
    closed_in_first_form: bool = False  # tasks: the close was a person's, seen in the feed
    # comments (FIRST_FORM_FILES_TO=task): our file id → its preupload id, and the files whose
    # attachment to the task First Form confirmed, so a later attempt attaches none twice
    preuploads: dict[str, str] = {}
    attached: list[str] = []
    lease_until: str = NEVER  # the current attempt's claim runs until then (a stamp)

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Link:
        return cls(id=doc["_id"], task_id=doc.get("task_id", ""), ff_id=doc.get("ff_id"),
                   attempts=int(doc.get("attempts", 0)), cursor=int(doc.get("cursor", 0)),
                   state_id=doc.get("state_id"), open="open_since" in doc,
                   closed_at=doc.get("closed_at"),
                   closed_in_first_form=bool(doc.get("closed_in_first_form")),
                   preuploads=dict(doc.get("preuploads") or {}),
                   attached=list(doc.get("attached") or []),
                   lease_until=str(doc.get("lease_until") or NEVER))

    def lease_left(self, now: datetime) -> float:
        """Seconds until the current claim lapses (0 when none is held)."""
        until = datetime.strptime(self.lease_until, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return max(0.0, (until - now).total_seconds())


async def ensure_indexes(db: Database) -> None:
    for coll in (db.first_form_tasks, db.first_form_comments):
        await coll.create_index("ff_id", unique=True, sparse=True)
    await db.first_form_tasks.create_index("open_since", sparse=True)
    await db.first_form_tasks.create_index("closed_at", sparse=True)
    await db.first_form_comments.create_index([("task_id", ASCENDING)])


def _coll(db: Database, kind: str) -> Any:
    return db.first_form_tasks if kind == "task" else db.first_form_comments


async def get(db: Database, kind: str, our_id: str) -> Link | None:
    with db_errors(f"reading a First Form {kind} link"):
        doc = await _coll(db, kind).find_one({"_id": our_id})
    return Link.of(doc) if doc else None


async def by_ff_id(db: Database, kind: str, ff_id: int) -> Link | None:
    with db_errors(f"finding a First Form {kind} link"):
        doc = await _coll(db, kind).find_one({"ff_id": ff_id})
    return Link.of(doc) if doc else None


async def ensure(db: Database, kind: str, our_id: str, task_id: str = "") -> None:
    """The document exists (no claim); a task's starts with cursor 0."""
    doc: dict[str, Any] = {"_id": our_id, "attempts": 0, "lease_until": NEVER}
    if kind == "task":
        doc["cursor"] = 0
    else:
        doc["task_id"] = task_id
    with db_errors(f"recording a First Form {kind} link"):
        await _coll(db, kind).update_one({"_id": our_id}, {"$setOnInsert": doc}, upsert=True)


async def claim(db: Database, kind: str, our_id: str, now: datetime, lease_s: float,
                task_id: str = "") -> Link | None:
    """Take the right to create it in First Form for ``lease_s``; None while another attempt
    holds it or it exists already (re-read to tell)."""
    await ensure(db, kind, our_id, task_id)
    with db_errors(f"claiming a First Form {kind}"):
        doc = await _coll(db, kind).find_one_and_update(
            {"_id": our_id, "ff_id": {"$exists": False}, "lease_until": {"$lt": stamp(now)}},
            {"$set": {"lease_until": stamp(now + timedelta(seconds=lease_s))},
             "$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER)
    return Link.of(doc) if doc else None


async def release(db: Database, kind: str, our_id: str, attempt: int) -> None:
    """Attempt ``attempt`` ended without a result: the next one may start at once (unless a
    later attempt holds the claim already)."""
    with db_errors(f"releasing a First Form {kind} claim"):
        await _coll(db, kind).update_one(
            {"_id": our_id, "ff_id": {"$exists": False}, "attempts": attempt},
            {"$set": {"lease_until": NEVER}})


async def renew(db: Database, kind: str, our_id: str, attempt: int, now: datetime,
                lease_s: float) -> bool:
    """Attempt ``attempt`` keeps its claim ``lease_s`` longer; False when it lost it (a later
    attempt took over after the lease ran out)."""
    with db_errors(f"renewing a First Form {kind} claim"):
        kept = await _coll(db, kind).update_one(
            {"_id": our_id, "ff_id": {"$exists": False}, "attempts": attempt},
            {"$set": {"lease_until": stamp(now + timedelta(seconds=lease_s))}})
    return bool(kept.matched_count)


async def note_file(db: Database, comment_id: str, file_id: str, *,
                    preupload_id: str | None = None, attached: bool = False) -> None:
    """A comment's file preuploaded (its id there), or attached to the task (confirmed)."""
    update: dict[str, Any] = {"$set": {f"preuploads.{file_id}": preupload_id}} \
        if preupload_id is not None else {}
    if attached:
        update["$addToSet"] = {"attached": file_id}
    with db_errors("noting a First Form comment's file"):
        await db.first_form_comments.update_one({"_id": comment_id}, update)


async def created(db: Database, kind: str, our_id: str, ff_id: int, now: datetime) -> bool:
    """First Form's id for ours; False when that id already stands for another of ours."""
    fields: dict[str, Any] = {"ff_id": ff_id, "lease_until": NEVER}
    if kind == "task":
        fields["open_since"] = stamp(now)
    try:
        with db_errors(f"recording a First Form {kind} id"):
            await _coll(db, kind).update_one({"_id": our_id}, {"$set": fields})
    except DuplicateKeyError:
        return False
    return True


async def record_picked(db: Database, comment_id: str, task_id: str, ff_id: int) -> None:
    """A comment a person wrote in First Form, under the id we gave it."""
    try:
        with db_errors("recording a First Form comment link"):
            await db.first_form_comments.update_one(
                {"_id": comment_id}, {"$setOnInsert": {
                    "_id": comment_id, "task_id": task_id, "ff_id": ff_id, "attempts": 0,
                    "lease_until": NEVER, "picked": True}}, upsert=True)
    except DuplicateKeyError:
        pass  # recorded before


async def open_tasks(db: Database, page: int = 500) -> AsyncIterator[Link]:
    """Tasks whose feeds are polled (created in First Form and not closed), every one of them,
    read a page at a time in the order of our ids."""
    after = ""
    while True:
        with db_errors("listing open First Form tasks"):
            docs = await db.first_form_tasks.find(
                {"open_since": {"$exists": True}, "_id": {"$gt": after}}) \
                .sort([("_id", ASCENDING)]).limit(page).to_list(None)
        for doc in docs:
            if doc.get("ff_id") is not None:
                yield Link.of(doc)
        if len(docs) < page:
            return
        after = docs[-1]["_id"]


async def closed_to_check(db: Database, since: datetime, now: datetime,
                          limit: int) -> list[Link]:
    """Up to ``limit`` tasks closed since ``since``, those checked longest ago first, each
    stamped as checked at ``now`` (a task reopened in First Form is looked for, a few at a
    time, so the cost stays a few reads a minute however many tasks were closed)."""
    with db_errors("listing closed First Form tasks"):
        docs = await db.first_form_tasks.find(
            {"closed_at": {"$gte": stamp(since)}, "ff_id": {"$exists": True}}) \
            .sort([("reopen_checked_at", ASCENDING), ("_id", ASCENDING)]) \
            .limit(limit).to_list(None)
        if docs:
            await db.first_form_tasks.update_many(
                {"_id": {"$in": [d["_id"] for d in docs]}},
                {"$set": {"reopen_checked_at": stamp(now)}})
    return [Link.of(d) for d in docs]


async def set_open(db: Database, task_id: str, is_open: bool, now: datetime, *,
                   in_first_form: bool = False) -> None:
    """Polled from now on, or no longer (closed at ``now``; ``in_first_form``: by a person
    there, as the feed saw it)."""
    update: dict[str, Any] = {
        "$set": {"open_since": stamp(now)},
        "$unset": {"closed_at": "", "closed_in_first_form": ""}} if is_open else {
        "$unset": {"open_since": ""},
        "$set": {"closed_at": stamp(now), "closed_in_first_form": in_first_form}}
    query: dict[str, Any] = {"_id": task_id, "open_since": {"$exists": not is_open}}
    with db_errors("marking a First Form task open or closed"):
        await db.first_form_tasks.update_one(query, update)


async def advance(db: Database, task_id: str, cursor: int, state_id: int | None) -> None:
    """Feed comments up to ``cursor`` are handled; ``state_id`` is the state last seen."""
    fields: dict[str, Any] = {"state_id": state_id} if state_id is not None else {}
    with db_errors("advancing a First Form feed cursor"):
        await db.first_form_tasks.update_one({"_id": task_id, "cursor": {"$lt": cursor}},
                                             {"$set": {"cursor": cursor}})
        if fields:
            await db.first_form_tasks.update_one({"_id": task_id}, {"$set": fields})


async def hold_lease(db: Database, name: str, holder: str, now: datetime,
                     lease_s: float) -> bool:
    """Take or keep the lease ``name`` for ``lease_s``; False while another holder has it."""
    until = stamp(now + timedelta(seconds=lease_s))
    with db_errors("holding a lease"):
        await db.first_form_leases.update_one(
            {"_id": name}, {"$setOnInsert": {"_id": name, "holder": holder, "until": NEVER}},
            upsert=True)
        kept = await db.first_form_leases.update_one({"_id": name, "holder": holder},
                                                     {"$set": {"until": until}})
        if kept.matched_count:
            return True
        taken = await db.first_form_leases.update_one(
            {"_id": name, "until": {"$lt": stamp(now)}}, {"$set": {"holder": holder,
                                                                   "until": until}})
    return bool(taken.matched_count)
