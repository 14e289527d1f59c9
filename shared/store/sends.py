"""Sends: one document per send command, in its chat's queue (the rules are in
``shared.domain.sends``).

The queue fields exist only while they mean something: ``queue_key`` (the chat key) while the
send is open, so a chat's head is one index range; ``due_ms`` while something must happen by
then (the sender's timer wakes the chat: a retry, a lease that may have died, a result event
not yet confirmed). Per-chat sequence numbers come from one counter document per chat in
``send_chats``; a number taken by a decider that died before inserting is a harmless gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared import events
from shared.domain.sends import (
    AWAIT_TEXT_S,
    LEASE_S,
    REPORT_AGAIN_S,
    WAKE_AGAIN_S,
    Claim,
    Retry,
    SendRecord,
    SendState,
    epoch_ms,
)
from shared.store.mongo import Database, db_errors, eq, read_as, stamp

__all__ = ["LEASE_S", "MongoSendLedger", "SendRecord", "SendState"]
_STORED_ONLY = ("queue_key", "due_ms")


async def ensure_indexes(db: Database) -> None:
    await db.sends.create_index([("queue_key", ASCENDING), ("seq", ASCENDING)])
    await db.sends.create_index("due_ms", sparse=True)
    await db.sends.create_index("comment_id")


def _read(doc: dict[str, Any]) -> SendRecord:
    if doc.get("state") == "sending":  # written before sends were queued: open, in no queue
        doc = doc | {"state": "queued", "chat_key": ""}
    return read_as(SendRecord, doc, drop=_STORED_ONLY)


async def _allocate(db: Database, chat_key: str, count: int) -> int:
    """The first of ``count`` consecutive sequence numbers of the chat."""
    for _ in range(3):
        doc = await db.send_chats.find_one_and_update(
            {"_id": chat_key}, {"$inc": {"next": count}}, return_document=ReturnDocument.AFTER)
        if doc is not None:
            return int(doc["next"]) - count + 1
        try:
            await db.send_chats.insert_one({"_id": chat_key, "next": count})
            return 1
        except DuplicateKeyError:
            continue  # another decider created the counter meanwhile
    raise LookupError(f"could not number the sends of chat {chat_key}")


def _queue_fields(cmd: events.SendMessage, seq: int, now: datetime) -> dict[str, Any]:
    key = cmd.chat.key
    awaits = epoch_ms(now) + AWAIT_TEXT_S * 1000 if cmd.awaits_text else 0
    return {"state": "queued", "task_id": cmd.task_id, "comment_id": cmd.comment_id,
            "part": cmd.part, "chat_key": key, "queue_key": key,
            "channel_id": cmd.chat.channel_id, "seq": seq, "command": events.encode(cmd),
            "attempts": 0, "retry_at_ms": 0, "lease_until": 0, "awaits_text_until_ms": awaits,
            # the decider wakes the sender at once; this is for a wake that got lost (or, for
            # a place kept for a text, for the text that did not come)
            "due_ms": awaits or epoch_ms(now) + WAKE_AGAIN_S * 1000}


async def enqueue(db: Database, commands: Sequence[events.SendMessage], now: datetime
                  ) -> dict[str, int]:
    """Put sends at the end of their chats' queues, in the given order; a send queued before
    keeps its place. Returns the new ones' sequence numbers by send id."""
    by_chat: dict[str, list[events.SendMessage]] = {}
    for cmd in commands:
        by_chat.setdefault(cmd.chat.key, []).append(cmd)
    docs: list[dict[str, Any]] = []
    with db_errors("queueing sends"):
        for key, cmds in by_chat.items():
            first = await _allocate(db, key, len(cmds))
            docs += [{"_id": c.id, "created_at": now} | _queue_fields(c, first + i, now)
                     for i, c in enumerate(cmds)]
        if not docs:
            return {}
        try:
            await db.sends.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            taken = {int(e["index"]) for e in errors}
            return {d["_id"]: d["seq"] for i, d in enumerate(docs) if i not in taken}
    return {d["_id"]: d["seq"] for d in docs}


async def requeue(db: Database, cmd: events.SendMessage, now: datetime) -> bool:
    """Put a failed (or pre-queue) send at the end of its chat's queue again; False if it is
    no longer failed."""
    with db_errors("queueing a send again"):
        seq = await _allocate(db, cmd.chat.key, 1)
        result = await db.sends.update_one(
            {"_id": cmd.id, "state": {"$in": ["failed", "sending"]}},
            {"$set": _queue_fields(cmd, seq, now),
             "$unset": {k: "" for k in ("failure", "failure_code", "ambiguous_since_ms",
                                        "unreported", "last_code", "last_error",
                                        "lease_owner")},
             "$inc": {"replays": 1}})
    return result.modified_count == 1


async def fill(db: Database, cmd: events.SendMessage) -> bool:
    """The text for a place kept in the queue: the send goes in that place. False if it is
    no longer waiting for it (filled before, or it stepped aside)."""
    with db_errors("filling in a send's text"):
        result = await db.sends.update_one(
            {"_id": cmd.id, "state": "queued", "awaits_text_until_ms": {"$gt": 0}},
            {"$set": {"command": events.encode(cmd), "awaits_text_until_ms": 0}})
    return result.modified_count == 1


async def step_aside(db: Database, send_id: str) -> bool:
    """A place kept for a text that did not come in time leaves the queue, so the chat goes
    on; nothing is reported (nothing was sent, and its comment may not exist yet)."""
    with db_errors("moving a send that waits for its text aside"):
        result = await db.sends.update_one(
            {"_id": send_id, "state": "queued", "awaits_text_until_ms": {"$gt": 0}},
            {"$set": {"state": "failed", "lease_until": 0, "failure_code": "NO_TEXT_IN_TIME",
                      "failure": "its text did not come in time: it goes at the end of the "
                                 "chat's queue when it comes"},
             "$unset": {"queue_key": "", "lease_owner": "", "due_ms": ""}})
    return result.modified_count == 1


async def get(db: Database, send_id: str) -> SendRecord | None:
    with db_errors("reading a send"):
        doc = await db.sends.find_one({"_id": send_id})
    return _read(doc) if doc else None


async def of_comment(db: Database, comment_id: str) -> list[SendRecord]:
    with db_errors("reading a comment's sends"):
        docs = await db.sends.find({"comment_id": comment_id}).to_list(None)
    return [_read(d) for d in docs]


async def head(db: Database, chat_key: str) -> SendRecord | None:
    """The chat's open send with the lowest sequence number."""
    found = await first(db, chat_key, 1)
    return found[0] if found else None


async def first(db: Database, chat_key: str, n: int) -> list[SendRecord]:
    """The chat's open sends with the lowest sequence numbers, in order, at most ``n``."""
    with db_errors("reading a chat's next send"):
        docs = await db.sends.find({"queue_key": eq(chat_key)}).sort("seq", ASCENDING) \
            .limit(n).to_list(None)
    return [_read(d) for d in docs]


async def claim(db: Database, record: SendRecord, taken: Claim, now_ms: int) -> bool:
    """Take the head's lease, unless someone changed it since ``record`` was read."""
    fields: dict[str, Any] = {"lease_owner": taken.owner, "lease_until": taken.until_ms,
                              "due_ms": taken.until_ms, "claimed_ms": now_ms}
    if taken.ambiguous_since_ms is not None:
        fields["ambiguous_since_ms"] = taken.ambiguous_since_ms
    update: dict[str, Any] = {"$set": fields}
    if taken.interrupted:
        update["$inc"] = {"interrupted": 1}
    with db_errors("claiming a send"):
        result = await db.sends.update_one(
            {"_id": record.id, "state": "queued", "lease_until": record.lease_until,
             "retry_at_ms": record.retry_at_ms}, update)
    return result.modified_count == 1


async def claim_next(db: Database, cmd: events.SendMessage, taken: Claim, now_ms: int
                     ) -> SendRecord | None:
    """Take the lease of ``cmd``'s send if it is still untouched at its place ``cmd.seq``
    (queued, never attempted, leased or waiting for a text): the caller knows every earlier
    place of the chat is settled, so it is the head. The send as claimed, else None."""
    with db_errors("claiming a send"):
        doc = await db.sends.find_one_and_update(
            {"_id": cmd.id, "seq": cmd.seq, "state": "queued", "lease_until": 0,
             "retry_at_ms": 0, "awaits_text_until_ms": 0},
            {"$set": {"lease_owner": taken.owner, "lease_until": taken.until_ms,
                      "due_ms": taken.until_ms, "claimed_ms": now_ms}},
            return_document=ReturnDocument.AFTER)
    return _read(doc) if doc else None


async def renew(db: Database, send_id: str, owner: str, until_ms: int) -> bool:
    with db_errors("renewing a send's lease"):
        result = await db.sends.update_one(
            {"_id": send_id, "lease_owner": owner, "state": "queued"},
            {"$set": {"lease_until": until_ms, "due_ms": until_ms}})
    return result.matched_count == 1


async def retry_later(db: Database, send_id: str, owner: str, retry: Retry, code: str,
                      error: str) -> None:
    """Give the lease back; the head waits until ``retry.at_ms``."""
    fields: dict[str, Any] = {"lease_until": 0, "retry_at_ms": retry.at_ms,
                              "due_ms": retry.at_ms, "attempts": retry.attempts,
                              "last_code": code, "last_error": error[:1000]}
    if retry.ambiguous_since_ms is not None:
        fields["ambiguous_since_ms"] = retry.ambiguous_since_ms
    with db_errors("scheduling a send's retry"):
        await db.sends.update_one({"_id": send_id, "lease_owner": owner},
                                  {"$set": fields, "$unset": {"lease_owner": ""}})


async def _settle(db: Database, send_id: str, state: SendState, fields: dict[str, Any],
                  now: datetime, only_open: bool) -> bool:
    """Leave the queue (the next send becomes the head) with the result still to be reported."""
    query: dict[str, Any] = {"_id": send_id} | ({"state": "queued"} if only_open else {})
    with db_errors(f"marking a send {state}"):
        result = await db.sends.update_one(query, {
            "$set": {"state": state, "lease_until": 0, "unreported": 1,
                     "due_ms": epoch_ms(now) + REPORT_AGAIN_S * 1000} | fields,
            "$unset": {"queue_key": "", "lease_owner": ""}})
    return result.matched_count == 1


async def mark_sent(db: Database, send_id: str, gateway_message_id: str | None,
                    now: datetime) -> None:
    fields: dict[str, Any] = {"sent_at": stamp(now)}
    if gateway_message_id:
        fields["gateway_message_id"] = gateway_message_id
    await _settle(db, send_id, "sent", fields, now, only_open=False)


async def mark_failed(db: Database, send_id: str, code: str, reason: str,
                      now: datetime) -> bool:
    """Settle a send still open as failed for good (a sent one stays sent)."""
    return await _settle(db, send_id, "failed",
                         {"failure": reason[:1000], "failure_code": code}, now, only_open=True)


async def mark_reported(db: Database, send_ids: Sequence[str]) -> None:
    """The results of these sends are confirmed on the bus."""
    with db_errors("marking send results reported"):
        await db.sends.update_many(
            {"_id": {"$in": list(send_ids)}, "state": {"$in": ["sent", "failed"]}},
            {"$unset": {"unreported": "", "due_ms": ""}})


async def hold(db: Database, chat_key: str, until_ms: int) -> None:
    """The chat's head waits until ``until_ms``: nothing behind it needs a wake before."""
    with db_errors("holding a chat's sends"):
        await db.sends.update_many({"queue_key": eq(chat_key), "due_ms": {"$lt": until_ms}},
                                   {"$set": {"due_ms": until_ms}})


async def due(db: Database, now_ms: int, limit: int = 200) -> list[SendRecord]:
    """Sends whose time has come: a retry, a lapsed lease, or a result to report again."""
    with db_errors("reading due sends"):
        docs = await db.sends.find({"due_ms": {"$lte": now_ms}}).sort("due_ms", ASCENDING) \
            .limit(limit).to_list(None)
    return [_read(d) for d in docs]


async def postpone(db: Database, send_ids: Sequence[str], now_ms: int, until_ms: int) -> int:
    """Move due times on (a wake is on its way); how many were still due (0: another process
    took them)."""
    with db_errors("postponing due sends"):
        result = await db.sends.update_many(
            {"_id": {"$in": list(send_ids)}, "due_ms": {"$lte": now_ms}},
            {"$set": {"due_ms": until_ms}})
    return int(result.modified_count)


async def wake_channel(db: Database, channel_id: str, now_ms: int) -> int:
    """The number is connected again: its waiting heads may go now."""
    with db_errors("waking a channel's sends"):
        result = await db.sends.update_many(
            {"channel_id": channel_id, "queue_key": {"$exists": True},
             "last_code": "CHANNEL_NOT_ACTIVE"},
            {"$set": {"retry_at_ms": 0, "due_ms": now_ms}})
    return int(result.modified_count)


class MongoSendLedger:
    """The ``SendLedger`` (outbound-sender) and ``SendQueue`` (deciders) on MongoDB: the
    functions above, bound to a database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, commands: Sequence[events.SendMessage], now: datetime
                      ) -> dict[str, int]:
        return await enqueue(self._db, commands, now)

    async def claim_next(self, cmd: events.SendMessage, taken: Claim, now_ms: int
                         ) -> SendRecord | None:
        return await claim_next(self._db, cmd, taken, now_ms)

    async def requeue(self, cmd: events.SendMessage, now: datetime) -> bool:
        return await requeue(self._db, cmd, now)

    async def fill(self, cmd: events.SendMessage) -> bool:
        return await fill(self._db, cmd)

    async def step_aside(self, send_id: str) -> bool:
        return await step_aside(self._db, send_id)

    async def get(self, send_id: str) -> SendRecord | None:
        return await get(self._db, send_id)

    async def of_comment(self, comment_id: str) -> list[SendRecord]:
        return await of_comment(self._db, comment_id)

    async def head(self, chat_key: str) -> SendRecord | None:
        return await head(self._db, chat_key)

    async def first(self, chat_key: str, n: int) -> list[SendRecord]:
        return await first(self._db, chat_key, n)

    async def claim(self, record: SendRecord, taken: Claim, now_ms: int) -> bool:
        return await claim(self._db, record, taken, now_ms)

    async def renew(self, send_id: str, owner: str, until_ms: int) -> bool:
        return await renew(self._db, send_id, owner, until_ms)

    async def retry_later(self, send_id: str, owner: str, retry: Retry, code: str,
                          error: str) -> None:
        await retry_later(self._db, send_id, owner, retry, code, error)

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None:
        await mark_sent(self._db, send_id, gateway_message_id, now)

    async def mark_failed(self, send_id: str, code: str, reason: str, now: datetime) -> bool:
        return await mark_failed(self._db, send_id, code, reason, now)

    async def mark_reported(self, send_ids: Sequence[str]) -> None:
        await mark_reported(self._db, send_ids)

    async def hold(self, chat_key: str, until_ms: int) -> None:
        await hold(self._db, chat_key, until_ms)

    async def due(self, now_ms: int, limit: int = 200) -> list[SendRecord]:
        return await due(self._db, now_ms, limit)

    async def postpone(self, send_ids: Sequence[str], now_ms: int, until_ms: int) -> int:
        return await postpone(self._db, send_ids, now_ms, until_ms)

    async def wake_channel(self, channel_id: str, now_ms: int) -> int:
        return await wake_channel(self._db, channel_id, now_ms)
