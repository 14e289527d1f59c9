"""Tasks (owned by task-sync): one per conversation, in the WhatsApp communication category."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.domain.tasks import Task
from shared.errors import PermanentError
from shared.store.mongo import Database, db_errors, read_as, stamp, to_doc

__all__ = ["Task"]


INTERNAL_FIELDS = ("chat_key", "status_event_pending", "search_name")


def search_name(task: Task) -> str:
    """What a name search matches (by prefix): the contact's name or the title, lowercased."""
    return (task.contact_name or task.title).lower().replace("ё", "е")


def _from_doc(doc: dict[str, Any]) -> Task:
    return read_as(Task, doc, drop=INTERNAL_FIELDS)


async def ensure_indexes(db: Database) -> None:
    await db.tasks.create_index([("status", ASCENDING), ("updated_at", DESCENDING)])
    await db.tasks.create_index([("assignee_user_id", ASCENDING)], sparse=True)
    await db.tasks.create_index([("assignee_group_id", ASCENDING)], sparse=True)
    await db.tasks.create_index([("chat_key", ASCENDING)])
    await db.tasks.create_index("status_event_pending", sparse=True)
    await db.tasks.create_index("number", unique=True, sparse=True)


async def create(db: Database, task: Task, *, announce: bool = False,
                 numbered: bool = False) -> None:
    """Insert the task unless it exists (the command was redelivered); ``announce`` flags its
    status for publishing in the same write (the outbox), so a crash cannot lose it.
    ``numbered``: give it the next request number (a redelivery leaves a harmless gap)."""
    doc = to_doc(task, chat_key=task.chat.key, updated_at=stamp(task.updated_at),
                 search_name=search_name(task))
    if numbered and task.number is None:
        doc["number"] = await _next_number(db)
    if task.last_activity_at is not None:  # a text stamp, as activity updates write it
        doc["last_activity_at"] = stamp(task.last_activity_at)
    if announce:
        doc["status_event_pending"] = True
    with db_errors("creating a task"):
        await db.tasks.update_one({"_id": task.id}, {"$setOnInsert": doc}, upsert=True)


async def _next_number(db: Database) -> int:
    """The next request number, from one counter document."""
    with db_errors("numbering a task"):
        for _ in range(3):
            doc = await db.task_numbers.find_one_and_update(
                {"_id": "tasks"}, {"$inc": {"next": 1}}, return_document=ReturnDocument.AFTER)
            if doc is not None:
                return int(doc["next"])
            try:
                await db.task_numbers.insert_one({"_id": "tasks", "next": 1})
                return 1
            except DuplicateKeyError:
                continue  # another replica created the counter meanwhile
    raise LookupError("could not number a task")


async def set_number(db: Database, task_id: str, number: int) -> None:
    """Give the task the request number another task system gave it (not a change to it)."""
    with db_errors("numbering a task"):
        await db.tasks.update_one({"_id": task_id}, {"$set": {"number": number}})


async def by_number(db: Database, number: int) -> Task | None:
    with db_errors("finding a task by its number"):
        doc = await db.tasks.find_one({"number": number})
    return _from_doc(doc) if doc else None


async def set_field(db: Database, task_id: str, name: str, value: str) -> Task | None:
    """Store one field of the task; None when the task is missing."""
    if not name or "." in name or name.startswith("$"):
        raise PermanentError(f"{name!r} cannot name a task field (no dots, no leading $)")
    with db_errors("setting a task field"):
        doc = await db.tasks.find_one_and_update(
            {"_id": task_id}, {"$set": {f"fields.{name}": value}},
            return_document=ReturnDocument.AFTER)
    return _from_doc(doc) if doc else None


async def get(db: Database, task_id: str) -> Task | None:
    with db_errors("reading a task"):
        doc = await db.tasks.find_one({"_id": task_id})
    return _from_doc(doc) if doc else None


async def find(
    db: Database, *, status: str | None = None, assignee_user_id: str | None = None,
    assignee_group_id: str | None = None, limit: int = 100, offset: int = 0,
    scope: dict[str, Any] | None = None,
) -> list[Task]:
    """Tasks by the filters, newest change first; ``scope``: a filter of the visible ones
    (``shared.store.visibility``)."""
    query: dict[str, Any] = dict(scope or {})
    if status is not None:
        query["status"] = status
    if assignee_user_id is not None:
        query["assignee_user_id"] = assignee_user_id
    if assignee_group_id is not None:
        query["assignee_group_id"] = assignee_group_id
    with db_errors("listing tasks"):
        cursor = db.tasks.find(query).sort([("updated_at", DESCENDING), ("_id", ASCENDING)])
        docs = await cursor.skip(offset).limit(limit).to_list(None)
    return [_from_doc(d) for d in docs]


async def update(
    db: Database, task_id: str, now: datetime, *, fields: dict[str, Any],
    unset: tuple[str, ...] = (), announce: bool = False, if_status_in: list[str] | None = None,
    if_unassigned: bool = False,
) -> Task | None:
    """Change fields of a task; ``announce`` marks a status change to publish (outbox flag).

    ``if_status_in``: only while the task is in one of these statuses (a precondition, so a
    late command never reopens a task a person closed); None when it did not match.
    """
    update: dict[str, Any] = {"$set": fields | {"updated_at": stamp(now)}}
    if announce:
        update["$set"]["status_event_pending"] = True
        update["$inc"] = {"status_version": 1}
    if unset:
        update["$unset"] = {name: "" for name in unset}
    with db_errors("updating a task"):
        query: dict[str, Any] = {"_id": task_id}
        if if_status_in is not None:
            query["status"] = {"$in": if_status_in}
        if if_unassigned:
            query["assignee_user_id"] = {"$exists": False}
        doc = await db.tasks.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER)
    return _from_doc(doc) if doc else None


async def pending_announcements(db: Database, limit: int = 100) -> list[Task]:
    with db_errors("reading unpublished status changes"):
        docs = await db.tasks.find({"status_event_pending": {"$exists": True}}).limit(limit) \
            .to_list(None)
    return [_from_doc(d) for d in docs]


async def announced(db: Database, task_id: str, status_version: int) -> None:
    with db_errors("marking a status change published"):
        await db.tasks.update_one({"_id": task_id, "status_version": status_version},
                                  {"$unset": {"status_event_pending": ""}})


async def ids_of_chat(db: Database, chat_key: str) -> list[str]:
    with db_errors("listing a chat's tasks"):
        docs = await db.tasks.find({"chat_key": chat_key}, {"_id": 1}).to_list(None)
    return [d["_id"] for d in docs]


async def open_task_of_chat(db: Database, chat_key: str, closed_status: str) -> Task | None:
    """The chat's task that is not closed, if any (newest first)."""
    with db_errors("finding a chat's open task"):
        docs = await db.tasks.find({"chat_key": chat_key}).to_list(None)
    open_ones = [_from_doc(d) for d in docs if d.get("status") != closed_status]
    return max(open_ones, key=lambda t: t.created_at) if open_ones else None
