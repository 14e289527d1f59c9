"""Sends (owned by outbound-sender): one document per send command, for idempotency and audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import events
from shared.domain.sends import (
    LEASE_S,
    Lease,
    SendRecord,
    SendState,
    lease_for,
    leased_elsewhere,
    may_claim,
)
from shared.store.mongo import Database, db_errors, read_as, stamp

__all__ = ["LEASE_S", "MongoSendLedger", "SendRecord", "SendState", "begin", "mark_failed",
           "mark_sent", "release", "reopen"]


async def begin(db: Database, cmd: events.SendMessage, now: datetime, owner: str) -> SendRecord:
    """The send's record, claimed by ``owner`` (one round trip for a new send).

    A send being attempted is leased, so a redelivered copy never reaches the gateway while
    the first attempt is still in its call: ``RetryableError`` until the lease is released
    (a retryable failure) or expires (its holder died).
    """
    lease = _lease_fields(lease_for(owner, now))
    doc: dict[str, Any] = {"state": "sending", "task_id": cmd.task_id,
                           "comment_id": cmd.comment_id, "created_at": now} | lease
    with db_errors("recording a send"):
        result = await db.sends.update_one({"_id": cmd.id}, {"$setOnInsert": doc}, upsert=True)
        if result.upserted_id is not None:
            return SendRecord(id=cmd.id, state="sending", task_id=cmd.task_id,
                              comment_id=cmd.comment_id, created_at=now)
        found = await db.sends.find_one({"_id": cmd.id})
    if found is None:
        raise LookupError(f"send {cmd.id} vanished right after it was recorded")
    record = read_as(SendRecord, found)
    if record.state != "sending":
        return record
    held = Lease(owner=found.get("lease_owner"), until_ms=found.get("lease_until") or 0)
    if not may_claim(record.state, held, owner, now):
        raise leased_elsewhere(cmd.id)
    # taken only if nobody changed the lease since we read it
    seen = {"lease_owner": found.get("lease_owner"), "lease_until": found.get("lease_until")}
    with db_errors("claiming a send"):
        taken = await db.sends.update_one({"_id": cmd.id, "state": "sending"} | seen,
                                          {"$set": lease})
    if not taken.matched_count:
        raise leased_elsewhere(cmd.id)
    return record


def _lease_fields(lease: Lease) -> dict[str, Any]:
    return {"lease_owner": lease.owner, "lease_until": lease.until_ms}


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


class MongoSendLedger:
    """outbound-sender's ``SendLedger`` on MongoDB: the functions above, bound to a database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin(self, cmd: events.SendMessage, now: datetime, owner: str) -> SendRecord:
        return await begin(self._db, cmd, now, owner)

    async def release(self, send_id: str, owner: str) -> None:
        await release(self._db, send_id, owner)

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None:
        await mark_sent(self._db, send_id, gateway_message_id, now)

    async def mark_failed(self, send_id: str, reason: str) -> None:
        await mark_failed(self._db, send_id, reason)

    async def reopen(self, send_id: str) -> None:
        await reopen(self._db, send_id)
