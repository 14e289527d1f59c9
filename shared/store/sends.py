"""Sends (owned by outbound-sender): one document per send command, for idempotency and audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from shared import events
from shared.errors import RetryableError
from shared.store.mongo import Database, db_errors, read_as, stamp

SendState = Literal["sending", "sent", "failed"]


class SendRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    state: SendState
    task_id: str
    comment_id: str
    created_at: datetime
    gateway_message_id: str | None = None
    sent_at: datetime | None = None
    failure: str | None = None


LEASE_S = 60  # longer than a gateway call may take (timeout 15 s, plus an upload)


async def begin(db: Database, cmd: events.SendMessage, now: datetime, owner: str) -> SendRecord:
    """The send's record, claimed by ``owner`` (one round trip in the common case).

    A send being attempted is leased, so a redelivered copy never reaches the gateway while
    the first attempt is still in its call: ``RetryableError`` until the lease is released
    (a retryable failure) or expires (its holder died).
    """
    now_ms = int(now.timestamp() * 1000)
    lease = {"lease_owner": owner, "lease_until": now_ms + LEASE_S * 1000}
    doc: dict[str, Any] = {"state": "sending", "task_id": cmd.task_id,
                           "comment_id": cmd.comment_id, "created_at": now} | lease
    with db_errors("recording a send"):
        result = await db.sends.update_one({"_id": cmd.id}, {"$setOnInsert": doc}, upsert=True)
        if result.upserted_id is not None:
            return SendRecord(id=cmd.id, state="sending", task_id=cmd.task_id,
                              comment_id=cmd.comment_id, created_at=now)
        for claimable in ({"lease_owner": owner}, {"lease_until": {"$lt": now_ms}}):
            taken = await db.sends.find_one_and_update(
                {"_id": cmd.id, "state": "sending"} | claimable, {"$set": lease})
            if taken is not None:
                return read_as(SendRecord, taken)
        found = await db.sends.find_one({"_id": cmd.id})
    if found is None:
        raise LookupError(f"send {cmd.id} vanished right after it was recorded")
    record = read_as(SendRecord, found)
    if record.state == "sending":
        raise RetryableError(f"send {cmd.id} is being attempted by another consumer; trying "
                             "again when it finishes or its lease expires", code="SEND_LEASED")
    return record


async def release(db: Database, send_id: str, owner: str) -> None:
    """Give up the claim after a retryable failure, so any consumer may try next."""
    with db_errors("releasing a send"):
        await db.sends.update_one({"_id": send_id, "lease_owner": owner},
                                  {"$set": {"lease_until": 0}})


async def mark_sent(db: Database, send_id: str, gateway_message_id: str | None,
                    now: datetime) -> None:
    fields: dict[str, Any] = {"state": "sent", "sent_at": stamp(now)}
    if gateway_message_id:
        fields["gateway_message_id"] = gateway_message_id
    with db_errors("marking a send done"):
        await db.sends.update_one({"_id": send_id}, {"$set": fields})


async def mark_failed(db: Database, send_id: str, reason: str) -> None:
    with db_errors("marking a send failed"):
        await db.sends.update_one({"_id": send_id, "state": "sending"},
                                  {"$set": {"state": "failed", "failure": reason}})


async def reopen(db: Database, send_id: str) -> None:
    """An operator replayed a dead-lettered send: it may be tried again."""
    with db_errors("reopening a failed send"):
        await db.sends.update_one({"_id": send_id, "state": "failed"},
                                  {"$set": {"state": "sending"}, "$unset": {"failure": ""}})
