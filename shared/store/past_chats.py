"""Past conversations for a replay (issue 12): the WhatsApp tasks created in a period and
their customers' messages in order. Two reads per 100 tasks; an admin's rare request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from shared.domain.past_chats import PastConversation, PastMessage
from shared.store.mongo import Database, db_errors, with_utc

_BATCH = 100


async def customer_messages_since(db: Database, since: datetime, *, category: str,
                                  limit: int, per_conversation: int) -> list[PastConversation]:
    """Tasks of ``category`` created at or after ``since`` (oldest first, at most ``limit``),
    each with its first ``per_conversation`` customer messages (direction "in")."""
    with db_errors("reading past conversations"):
        tasks = await db.tasks.find(
            {"category": category, "created_at": {"$gte": since}},
            {"_id": 1, "title": 1, "created_at": 1, "chat": 1},
        ).sort("created_at", ASCENDING).limit(limit).to_list(length=limit)
    found: list[PastConversation] = []
    for start in range(0, len(tasks), _BATCH):
        batch = tasks[start:start + _BATCH]
        messages = await _messages(db, [t["_id"] for t in batch], per_conversation)
        for task in batch:
            chat: dict[str, Any] = task.get("chat") or {}
            found.append(PastConversation(
                task_id=task["_id"], title=str(task.get("title", "")),
                created_at=with_utc(task)["created_at"], channel_id=str(chat.get("channel_id", "")),
                messages=messages.get(task["_id"], [])))
    return found


async def _messages(db: Database, task_ids: list[str],
                    per_conversation: int) -> dict[str, list[PastMessage]]:
    with db_errors("reading past customer messages"):
        docs = await db.comments.find(
            {"task_id": {"$in": task_ids}, "direction": "in"},
            {"task_id": 1, "order": 1, "at": 1, "text": 1, "content_type": 1},
        ).sort([("task_id", ASCENDING), ("order", ASCENDING)]).to_list(length=None)
    out: dict[str, list[PastMessage]] = {}
    for doc in sorted(docs, key=lambda d: (d["task_id"], d.get("order", 0))):
        items = out.setdefault(doc["task_id"], [])
        if len(items) < per_conversation:
            items.append(PastMessage(at=with_utc(doc)["at"], text=str(doc.get("text") or ""),
                                     kind=str(doc.get("content_type") or "text")))
    return out
