"""Company numbers (channels) and their connection state, as the gateways report it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Database, db_errors, stamp


async def record_state(db: Database, channel_id: str, provider: str, state: str,
                       tier: str | None, at: datetime, transport: str | None = None) -> None:
    fields: dict[str, Any] = {"provider": provider, "state": state, "updated_at": stamp(at)}
    if tier:
        fields["tier"] = tier
    if transport:
        fields["transport"] = transport
    with db_errors("recording a channel state"):
        # only over an older report (stamps are fixed-width text: they compare as times)
        newer = await db.channels.update_one(
            {"_id": channel_id, "updated_at": {"$lt": fields["updated_at"]}}, {"$set": fields})
        if newer.matched_count:
            return
        # a channel known so far only by its webhooks (record_webhook) has no state yet
        first = await db.channels.update_one(
            {"_id": channel_id, "updated_at": {"$exists": False}}, {"$set": fields})
        if first.matched_count:
            return
        try:
            await db.channels.insert_one({"_id": channel_id} | fields)
        except DuplicateKeyError:
            # a report as new or newer is stored already (this one is stale), or the channel's
            # first webhook time was inserted just now: then this is its first state
            await db.channels.update_one(
                {"_id": channel_id, "updated_at": {"$exists": False}}, {"$set": fields})


async def record_webhook(db: Database, channel_id: str, provider: str, at: datetime) -> None:
    """The time of the channel's last accepted webhook; only ever moves forward (several
    ingest replicas report it, each its own newest)."""
    when = stamp(at)
    with db_errors("recording a channel's last webhook"):
        for _ in range(2):  # the channel's first insert may race ours: the updates decide then
            for condition in ({"$lt": when}, {"$exists": False}):
                done = await db.channels.update_one(
                    {"_id": channel_id, "last_webhook_at": condition},
                    {"$set": {"last_webhook_at": when}})
                if done.matched_count:
                    return
            try:
                await db.channels.insert_one({"_id": channel_id, "provider": provider,
                                              "last_webhook_at": when})
                return
            except DuplicateKeyError:
                continue  # a channel exists: with no time, or one as new or newer (stale)


async def all_channels(db: Database) -> list[dict[str, Any]]:
    with db_errors("listing channels"):
        docs = await db.channels.find({}).sort("_id", 1).to_list(None)
    return [{"channel_id": d.pop("_id"), **d} for d in docs]


async def get(db: Database, channel_id: str) -> dict[str, Any] | None:
    with db_errors("reading a channel"):
        doc: dict[str, Any] | None = await db.channels.find_one({"_id": channel_id})
    return doc
