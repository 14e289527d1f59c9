"""Replies held until the customer writes again ("send when they return").

A held comment is an ordinary comment in the delivery state ``held`` (no sends published, no
outbox flag); ``held_comments`` has one document per held comment, keyed by its chat, so the
customer's next message finds what waits for them with one indexed read. Releasing and
cancelling are single-document transitions out of ``held``: exactly one of the two wins.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.comments import DELIVERY_RANK
from shared.store.mongo import Database, db_errors, eq


async def ensure_indexes(db: Database) -> None:
    await db.held_comments.create_index([("chat_key", ASCENDING), ("order", ASCENDING)])


async def remember(db: Database, comment_id: str, chat_key: str, task_id: str,
                   order: int) -> None:
    with db_errors("remembering a held reply"):
        try:
            await db.held_comments.insert_one({"_id": comment_id, "chat_key": chat_key,
                                               "task_id": task_id, "order": order})
        except DuplicateKeyError:
            pass


async def of_chat(db: Database, chat_key: str) -> list[dict[str, Any]]:
    """The chat's held replies, in the order they were posted."""
    with db_errors("reading held replies"):
        return await db.held_comments.find({"chat_key": eq(chat_key)}).sort(
            [("order", ASCENDING), ("_id", ASCENDING)]).to_list(None)


async def forget(db: Database, comment_id: str) -> None:
    with db_errors("forgetting a held reply"):
        await db.held_comments.delete_one({"_id": comment_id})


async def release(db: Database, comment_id: str) -> bool:
    """``held`` → ``queued`` with the outbox flag (the sweeper publishes it if we die now);
    False when it was released or cancelled already."""
    with db_errors("releasing a held reply"):
        result = await db.comments.update_one(
            {"_id": comment_id, "delivery": "held"},
            {"$set": {"delivery": "queued", "delivery_rank": DELIVERY_RANK["queued"],
                      "outbox": True}})
    return result.modified_count == 1


async def cancel(db: Database, comment_id: str) -> bool:
    """``held`` → ``cancelled`` (shown as deleted); False unless it was still held."""
    with db_errors("cancelling a held reply"):
        result = await db.comments.update_one(
            {"_id": comment_id, "delivery": "held"},
            {"$set": {"delivery": "cancelled", "deleted": True}})
    return result.modified_count == 1
