"""The inbox over the tasks collection: lists, counts, search, activity and read markers.

Activity (the newest message's time and preview, and the customer-message count) is written
to the task documents in one bulk write for many messages; a task's last-activity stamp only
moves forward. What each person has seen is one document per (person, task) in ``task_seen``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne

from shared.domain.comments import order_of
from shared.domain.inbox import NOBODY, Activity, InboxQuery
from shared.domain.tasks import Task
from shared.store import search_index, tasks
from shared.store.mongo import Database, db_errors, read_as, stamp
from shared.store.visibility import task_scope

_SORT = [("last_activity_at", DESCENDING), ("_id", DESCENDING)]
_DUE_SORT = [("sla_due_at", ASCENDING), ("_id", ASCENDING)]


async def ensure_indexes(db: Database) -> None:
    await db.tasks.create_index([("last_activity_at", DESCENDING)])
    await db.tasks.create_index([("assignee_user_id", ASCENDING), ("status", ASCENDING),
                                 ("last_activity_at", DESCENDING)], sparse=True)
    await db.tasks.create_index([("assignee_group_id", ASCENDING), ("status", ASCENDING),
                                 ("last_activity_at", DESCENDING)], sparse=True)
    await db.tasks.create_index([("status", ASCENDING), ("last_activity_at", DESCENDING)])
    await db.tasks.create_index("phone", sparse=True)
    await db.tasks.create_index("search_name", sparse=True)
    await db.task_seen.create_index([("user_id", ASCENDING), ("task_id", ASCENDING)])
    await db.comments.create_index([("order", DESCENDING)])


async def record_activity(db: Database, items: list[Activity]) -> None:
    """Write many tasks' activity in one round trip (the caller merges per task)."""
    ops: list[UpdateOne] = []
    for item in items:
        at = stamp(item.at)
        fields = {"last_activity_at": at, "last_preview": item.preview,
                  "last_direction": item.direction, "last_author_kind": item.author_kind or None}
        # $lte, not $lt: the stand-in compares these stamps to the second, so with $lt a task's
        # greeting written in the second the task was opened never became its preview (the
        # row showed the title); the batch holds one, the latest, activity per task
        ops.append(UpdateOne({"_id": item.task_id, "last_activity_at": {"$lte": at}},
                             {"$set": fields}))
        # a task created before activity was kept has no stamp to compare with
        ops.append(UpdateOne({"_id": item.task_id, "last_activity_at": {"$exists": False}},
                             {"$set": fields}))
        if item.inbound:
            ops.append(UpdateOne({"_id": item.task_id}, {"$inc": {"inbound_count": item.inbound}}))
        if item.inbound_at is not None:
            inbound_at = stamp(item.inbound_at)
            for absent_or_older in ({"$exists": False}, {"$lt": inbound_at}):
                ops.append(UpdateOne({"_id": item.task_id, "last_inbound_at": absent_or_older},
                                     {"$set": {"last_inbound_at": inbound_at}}))
    if not ops:
        return
    with db_errors("recording task activity"):
        await db.tasks.bulk_write(ops, ordered=False)


def _branches(query: InboxQuery) -> list[dict[str, Any]]:
    """The list as filters without a top-level ``$or``: each ``$or`` part (a supervisor's
    scope, the page cursor) expanded into its branches, one flat filter per combination.
    MongoDB and the stand-in run each as an index range with the sort and the limit; under a
    top-level ``$or`` (or ``$and``) the stand-in decodes and filters every task in Python."""
    alternatives = [part["$or"] if list(part) == ["$or"] else [part] for part in _parts(query)]
    # a short $in (the open statuses, a person's groups) stays one condition: as one equality
    # branch per value the stand-in was 4-7x slower (medians of interleaved runs at 30,000
    # tasks: a group's queue 65 -> 340 ms, a phone search 60 -> 447 ms); MongoDB reads either
    # from the index
    return [_all_of(list(combination)) for combination in itertools.product(*alternatives)]


def _all_of(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The conjunction of ``parts`` as one flat filter (a field's conditions in one operator
    document), ``$and`` only for a field whose conditions cannot be merged. The same query for
    MongoDB; the stand-in runs a flat filter in SQL but filters every document in Python
    under a top-level ``$and``."""
    flat: dict[str, Any] = {}
    rest: list[dict[str, Any]] = []
    for part in parts:
        for name, value in part.items():
            if name not in flat:
                flat[name] = value
                continue
            held = flat[name]
            if _operators(held) and _operators(value) and not held.keys() & value.keys():
                flat[name] = held | value
            else:
                rest.append({name: value})
    return {"$and": [flat, *rest]} if rest else flat


def _operators(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(k.startswith("$") for k in value)


def _parts(query: InboxQuery) -> list[dict[str, Any]]:
    """What a task must match to be in the list: all of these."""
    viewer = query.viewer
    open_ = {"$in": list(query.open_statuses)}
    parts: list[dict[str, Any]] = []
    if query.view == "mine":
        parts.append({"assignee_user_id": viewer.user_id, "status": open_})
    elif query.view == "queue":
        parts.append({"assignee_user_id": {"$exists": False},
                      "assignee_group_id": {"$in": sorted(viewer.group_ids)}, "status": open_})
    else:
        parts.append(task_scope(viewer))
        parts.append({"status": query.closed_status if query.view == "closed" else open_})
    extra: dict[str, Any] = {}
    if query.status:
        extra["status"] = query.status
    if query.provider:
        extra["chat.provider"] = query.provider
    if query.channel_id:
        extra["chat.channel_id"] = query.channel_id
    if query.assignee_user_id:
        extra["assignee_user_id"] = ({"$exists": False} if query.assignee_user_id == NOBODY
                                     else query.assignee_user_id)
    if query.task_ids is not None:
        extra["_id"] = {"$in": list(query.task_ids)}
    if query.search:
        extra |= _search(query.search)
    if extra:
        parts.append(extra)
    if query.sort == "due":
        parts.append({"sla_due_at": {"$exists": True}})
    if query.before is not None:
        at, task_id = query.before
        if query.sort == "due":
            parts.append({"$or": [{"sla_due_at": {"$gt": at}},
                                  {"sla_due_at": at, "_id": {"$gt": task_id}}]})
        else:
            parts.append({"$or": [{"last_activity_at": {"$lt": at}},
                                  {"last_activity_at": at, "_id": {"$lt": task_id}}]})
    return parts


def _search(text: str) -> dict[str, Any]:
    """Digits search the phone, other text the name; both by prefix (an index range)."""
    digits = re.sub(r"\D", "", text)
    if digits and not re.sub(r"[\d\s()+-]", "", text):
        return {"phone": _starting_with(digits)}
    name = text.strip().lower().replace("ё", "е")
    return {"search_name": _starting_with(name)} if name else {}


def _starting_with(prefix: str) -> dict[str, str]:
    """The strings that start with ``prefix``, as a range: what a ``^prefix`` regex matches
    (strings compare by code point on MongoDB and on the stand-in), and an index range on
    both, where the stand-in runs a regex through Python for every task."""
    return {"$gte": prefix, "$lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}


async def find(db: Database, query: InboxQuery) -> list[Task]:
    if query.task_ids is not None and not query.task_ids:
        return []  # a text search found nothing: the stand-in scans for an empty ``$in``
    sort = _DUE_SORT if query.sort == "due" else _SORT
    branches = _branches(query)
    with db_errors("listing the inbox"):
        docs: list[dict[str, Any]] = []
        for branch in branches:
            docs += await db.tasks.find(branch).sort(sort).limit(query.limit).to_list(None)
    if len(branches) > 1:
        docs = _merged(docs, sort, query.limit)
    return [read_as(Task, d, drop=tasks.INTERNAL_FIELDS) for d in docs]


def _merged(docs: list[dict[str, Any]], sort: list[tuple[str, int]], limit: int
            ) -> list[dict[str, Any]]:
    """The branches' pages as the list's page: each task once, in the list's order (a
    missing field sorts lowest, as on MongoDB)."""
    unique = list({doc["_id"]: doc for doc in docs}.values())
    for name, direction in reversed(sort):  # stable: the first key decides last
        unique.sort(key=_sort_key(name), reverse=direction == DESCENDING)
    return unique[:limit]


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[bool, str]]:
    return lambda doc: (doc.get(name) is not None, str(doc.get(name) or ""))


async def count(db: Database, query: InboxQuery, cap: int) -> int:
    """How many tasks the list holds, counted up to ``cap`` (a list that holds more says
    ``cap``): the ids of each branch read from its index range, at most ``cap`` each, and
    the union counted. ``count_documents`` is an aggregation the stand-in runs in Python over
    every matching task (20-45 s for a badge at 100,000 tasks); MongoDB counted an index
    range too, but a badge needs no exact figure beyond what a person can work through."""
    seen: set[Any] = set()
    with db_errors("counting the inbox"):
        for branch in _branches(query):
            docs = await db.tasks.find(branch, {"_id": 1}).limit(cap).to_list(None)
            seen.update(d["_id"] for d in docs)
            if len(seen) >= cap:
                return cap
    return len(seen)


async def mark_seen(db: Database, user_id: str, task_id: str, seen_count: int,
                    at: datetime) -> None:
    """What ``user_id`` has seen of ``task_id``: its first ``seen_count`` customer messages."""
    with db_errors("recording what a person has read"):
        await db.task_seen.update_one(
            {"_id": f"{user_id}:{task_id}", "seen_count": {"$lt": seen_count}},
            {"$set": {"seen_count": seen_count, "seen_at": stamp(at)}})
        await db.task_seen.update_one(
            {"_id": f"{user_id}:{task_id}"},
            {"$setOnInsert": {"user_id": user_id, "task_id": task_id, "seen_count": seen_count,
                              "seen_at": stamp(at)}}, upsert=True)


async def seen_counts(db: Database, user_id: str, task_ids: list[str]) -> dict[str, int]:
    if not task_ids:
        return {}
    with db_errors("reading what a person has read"):
        docs = await db.task_seen.find(
            {"_id": {"$in": [f"{user_id}:{t}" for t in task_ids]}}).to_list(None)
    return {d["task_id"]: int(d.get("seen_count", 0)) for d in docs}


async def tasks_with_text(db: Database, text: str, since: datetime, limit: int = 200
                          ) -> list[str]:
    """Tasks whose messages since ``since`` hold words starting with each word of ``text``,
    newest first: ranges of the word index (``shared.store.search_index``), not a scan."""
    return await search_index.tasks_with_words(db, text, order_of(since), limit)
