"""Comments (owned by task-sync): every message of a dialogue, one document each.

Delivery status only moves forward (the rule is in ``shared.domain.comments``), enforced by a
precondition on ``delivery_rank`` in the update filter, so a late "sent" never undoes "read".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.domain.comments import DELIVERY_RANK, Comment, order_of
from shared.store.mongo import (
    Database,
    db_errors,
    eq,
    read_as,
    set_or_unset,
    stamp,
    to_doc,
    with_utc,
)
from shared.store.search_index import MARKER, marked

__all__ = ["DELIVERY_RANK", "Comment", "order_of"]

def _from_doc(doc: dict[str, Any]) -> Comment:
    return read_as(Comment, doc)


async def ensure_indexes(db: Database) -> None:
    await db.comments.create_index([("task_id", ASCENDING), ("order", ASCENDING)])
    await db.comments.create_index("gateway_message_id", unique=True, sparse=True)
    await db.comments.create_index("outbox", sparse=True)
    await db.comments.create_index([("delivery", ASCENDING), ("at", ASCENDING)])
    await db.gateway_refs.create_index([("comment_id", ASCENDING)])


async def insert(db: Database, comment: Comment) -> bool:
    """Insert; False when this comment (or one carrying its gateway message id) exists."""
    doc = marked(to_doc(comment))  # for the word index's background indexer
    with db_errors("recording a comment"):
        try:
            await db.comments.insert_one(doc)
        except DuplicateKeyError:
            return False
    return True


async def insert_many(db: Database, items: list[Comment]) -> int:
    """Insert several in one round trip; returns how many were new (duplicates are skipped)."""
    docs = [marked(to_doc(comment)) for comment in items]
    with db_errors("recording comments"):
        try:
            result = await db.comments.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            return int(exc.details.get("nInserted", len(docs) - len(errors)))
    return len(result.inserted_ids)


async def get(db: Database, comment_id: str) -> Comment | None:
    with db_errors("reading a comment"):
        doc = await db.comments.find_one({"_id": comment_id})
    return _from_doc(doc) if doc else None


async def by_gateway_id(db: Database, gateway_message_id: str) -> Comment | None:
    """The comment that carries a gateway message (its first part, or a later part's file)."""
    with db_errors("finding a comment by gateway id"):
        doc = await db.comments.find_one({"gateway_message_id": gateway_message_id})
        if doc is None:
            ref = await db.gateway_refs.find_one({"_id": gateway_message_id})
            doc = await db.comments.find_one({"_id": ref["comment_id"]}) if ref else None
    return _from_doc(doc) if doc else None


async def record_part_sent(db: Database, comment_id: str, gateway_message_id: str,
                           part: int) -> None:
    """Remember a later part's gateway id (a file sent after the text): for quotes, and so a
    resend does not repeat it."""
    with db_errors("recording a sent part"):
        await db.gateway_refs.replace_one(
            {"_id": gateway_message_id},
            {"_id": gateway_message_id, "comment_id": comment_id, "part": part}, upsert=True)


async def sent_parts(db: Database, comment: Comment) -> set[int]:
    """The parts of a comment the gateway has accepted (part 0 carries the comment's id)."""
    with db_errors("reading sent parts"):
        refs = await db.gateway_refs.find({"comment_id": comment.id}).to_list(None)
    parts = {int(ref["part"]) for ref in refs if "part" in ref}
    return parts | ({0} if comment.gateway_message_id else set())


async def mark_revised(db: Database, comment_id: str, *, deleted: bool, text: str) -> None:
    """An edit or deletion in WhatsApp: the original text stays; the comment shows the change."""
    fields: dict[str, Any] = {"deleted": True} if deleted else {"edited": True,
                                                                 "current_text": text}
    fields[MARKER] = 1  # the word index adds the new text's words
    with db_errors("marking a comment revised"):
        await db.comments.update_one({"_id": comment_id}, {"$set": fields})


async def reset_for_resend(db: Database, comment_id: str, attempt: str,
                           *, first_part_sent: bool = False) -> bool:
    """A failed send goes back to queued (or to sent, when only later parts are resent) for a
    manager's resend; False unless it had failed."""
    status = "sent" if first_part_sent else "queued"
    with db_errors("resetting a failed send"):
        result = await db.comments.update_one(
            {"_id": comment_id, "delivery": "failed"},
            {"$set": {"delivery": status, "delivery_rank": DELIVERY_RANK[status], "outbox": True,
                      "send_attempt": attempt},
             "$unset": {"failure_code": "", "failure_reason": "", "retry_at": ""}})
    return result.modified_count == 1


async def of_task(db: Database, task_id: str) -> list[Comment]:
    with db_errors("listing comments"):
        cursor = db.comments.find({"task_id": eq(task_id), "duplicate_of": {"$exists": False}}) \
            .sort([("order", ASCENDING),
                                                              ("_id", ASCENDING)])
        return [_from_doc(d) for d in await cursor.to_list(None)]


def _forward(rank: int) -> dict[str, Any]:
    # Every outgoing comment carries delivery_rank from its insert, so a plain range test
    # suffices. (Combining ``_id`` with ``$or`` in an update filter makes the nx-27017 stand-in
    # update the wrong document, so update filters here never use ``$or``.)
    return {"delivery_rank": {"$lt": rank}}


async def record_sent(db: Database, comment_id: str, gateway_message_id: str | None,
                      *, after_failure: bool = False) -> bool:
    """The gateway accepted the send. False when the comment is not recorded yet.

    ``after_failure``: a send that had failed was replayed and went through, so "failed" may
    give way to "sent" (the one exception to moving only forward)."""
    fields: dict[str, Any] = {"delivery": "sent", "delivery_rank": DELIVERY_RANK["sent"]}
    if gateway_message_id:
        fields["gateway_message_id"] = gateway_message_id
    unset = {"failure_code": "", "failure_reason": "", "retry_at": ""}
    with db_errors("recording a sent message"):
        query = {"_id": comment_id} | (
            {"delivery_rank": {"$in": [DELIVERY_RANK["queued"], DELIVERY_RANK["failed"]]}}
            if after_failure else _forward(DELIVERY_RANK["sent"]))
        try:
            result = await db.comments.update_one(query, {"$set": fields, "$unset": unset})
        except DuplicateKeyError:
            if not gateway_message_id:
                raise
            await absorb_echo(db, comment_id, gateway_message_id)
            result = await db.comments.update_one(query, {"$set": fields, "$unset": unset})
        if result.matched_count:
            return True
        # a find, not count_documents: the stand-in runs every count as a Python aggregation
        if await db.comments.find_one({"_id": comment_id}, {"_id": 1}) is None:
            return False  # not recorded yet: the caller retries
        # It exists now. It may have been inserted (queued) just after the update missed it:
        # update again, so the result is never dropped by that race. A second miss means it
        # is already further along (sent, delivered...), which the update must not undo.
        if (await db.comments.update_one(query, {"$set": fields, "$unset": unset})).matched_count:
            return True
        if gateway_message_id:  # further along: still remember the gateway id
            await db.comments.update_one(
                {"_id": comment_id, "gateway_message_id": {"$exists": False}},
                {"$set": {"gateway_message_id": gateway_message_id}})
        return True


async def absorb_echo(db: Database, comment_id: str, gateway_message_id: str) -> None:
    """The gateway echoed our own send back before we recorded its id: the echo's comment is
    the same message, so it steps aside (kept, marked duplicate) and ours takes the id."""
    with db_errors("merging an echo into its send"):
        await db.comments.update_one(
            {"gateway_message_id": gateway_message_id, "send_id": {"$exists": False}},
            {"$set": {"duplicate_of": comment_id}, "$unset": {"gateway_message_id": ""}})


async def record_delivery(
    db: Database, comment_id: str, status: str, *, code: str | None = None,
    reason: str | None = None, retry_at: datetime | None = None,
) -> Comment | None:
    """Move the delivery status forward (or show why it waits); None if nothing matched."""
    rank = DELIVERY_RANK[status]
    update = set_or_unset({"delivery": status, "delivery_rank": rank}, {
        "failure_code": code, "failure_reason": reason,
        "retry_at": stamp(retry_at) if retry_at is not None else None})
    if status == "waiting":
        query = {"_id": comment_id, "delivery_rank": {"$lte": 0}}
    elif status == "failed":  # a failure reported after delivery is stale: the message arrived
        query = {"_id": comment_id} | _forward(DELIVERY_RANK["delivered"])
    else:
        query = {"_id": comment_id} | _forward(rank)
    with db_errors("recording a delivery status"):
        doc = await db.comments.find_one_and_update(query, update,
                                                    return_document=ReturnDocument.AFTER)
    return _from_doc(doc) if doc else None


async def record_pricing(db: Database, comment_id: str, category: str) -> None:
    """The gateway's pricing category of a sent message (a string: safe for ``$set``)."""
    with db_errors("recording a pricing category"):
        await db.comments.update_one({"_id": comment_id},
                                     {"$set": {"pricing_category": category}})


async def clear_outbox(db: Database, comment_ids: list[str]) -> None:
    """The sends of these comments are published (one write for many)."""
    with db_errors("marking sends published"):
        await db.comments.update_many({"_id": {"$in": comment_ids}, "outbox": {"$exists": True}},
                                      {"$unset": {"outbox": ""}})


async def pending_outbox(db: Database, older_than: datetime, limit: int = 100,
                         task_id: str | None = None) -> list[Comment]:
    """Comments whose sends are not published yet, recorded before ``older_than`` (of one
    task when ``task_id`` is given).

    By the flag's value and the integer order, not ``$exists`` and the date: the stand-in
    uses its index only for the equality (``$exists`` scanned every comment, about a second
    per million on each post) and compares dates to the second; MongoDB answers the same."""
    with db_errors("reading unpublished sends"):
        query: dict[str, Any] = {"outbox": True, "order": {"$lt": order_of(older_than)}}
        if task_id is not None:
            query["task_id"] = eq(task_id)
        docs = await db.comments.find(query).limit(limit).to_list(None)
    return [_from_doc(d) for d in docs]


async def queued_before(db: Database, older_than: datetime, limit: int = 100) -> list[Comment]:
    """Outgoing comments still ``queued`` (no send result, no reason to wait) since before
    ``older_than``, oldest first: the reconciliation asks what became of their sends."""
    with db_errors("reading unsettled sends"):
        docs = await db.comments.find(
            {"delivery": eq("queued"), "at": {"$lt": older_than}, "outbox": {"$exists": False}}
        ).sort("at", ASCENDING).limit(limit).to_list(None)
    return [_from_doc(d) for d in docs]


async def last_inbound_at(db: Database, task_ids: list[str]) -> datetime | None:
    """The time of the newest customer message among these tasks.

    One indexed look-up per task (a chat has a few): the stand-in runs ``$in`` as a scan of
    every comment (see ``mongo.eq``)."""
    newest: datetime | None = None
    with db_errors("finding the customer's last message"):
        for task_id in task_ids:
            doc = await db.comments.find_one(
                {"task_id": eq(task_id), "direction": "in"}, {"at": 1}, sort=[("order", -1)])
            at = with_utc(doc)["at"] if doc else None
            if at is not None and (newest is None or at > newest):
                newest = at
    return newest


async def page_of_task(db: Database, task_id: str, *, before: int | None = None,
                       limit: int = 50) -> tuple[list[Comment], bool]:
    """The newest ``limit`` comments before the order ``before`` (oldest first), and whether
    older ones exist: one index range, however long the chat."""
    query: dict[str, Any] = {"task_id": eq(task_id), "duplicate_of": {"$exists": False}}
    if before is not None:
        query["order"] = {"$lt": before}
    with db_errors("listing comments"):
        docs = await db.comments.find(query).sort([("order", -1), ("_id", -1)]) \
            .limit(limit + 1).to_list(None)
    return [_from_doc(d) for d in reversed(docs[:limit])], len(docs) > limit


async def by_ids(db: Database, comment_ids: list[str]) -> list[Comment]:
    if not comment_ids:
        return []
    with db_errors("reading comments"):
        docs = await db.comments.find({"_id": {"$in": comment_ids}}).to_list(None)
    return [_from_doc(d) for d in docs]
