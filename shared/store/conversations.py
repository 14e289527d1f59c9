"""Conversations and bot decisions (owned by bot-router).

A conversation is one task's dialogue with one chat. ``open_chat_key`` exists only while it is
open (sparse unique index: at most one open conversation per chat). A decision records, before
any effect, what one inbound event changed and which commands it produced, so a redelivered
event replays the same effects instead of being decided again on the changed state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.conversations import Conversation, Decision
from shared.store.mongo import Database, db_errors, read_as

__all__ = ["Conversation", "Decision", "MongoConversations", "apply", "discard_decision",
           "ensure_indexes", "find_decision", "find_open", "find_open_any", "get",
           "record_decision", "retire"]


async def ensure_indexes(db: Database) -> None:
    await db.conversations.create_index("open_chat_key", unique=True, sparse=True)
    await db.conversations.create_index([("chat_key", ASCENDING)])
    await db.decisions.create_index("created_at", expireAfterSeconds=14 * 24 * 3600)


def _to_doc(conv: Conversation) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(conv, builtin_types=(datetime,))
    doc["_id"] = doc.pop("id")
    doc["chat_key"] = conv.chat.key
    return doc


def _from_doc(doc: dict[str, Any]) -> Conversation:
    doc = {k: v for k, v in doc.items() if k not in ("chat_key", "open_chat_key", "last_event_id")}
    doc["id"] = doc.pop("_id")
    return read_as(Conversation, doc)


async def find_open(db: Database, chat_key: str) -> Conversation | None:
    with db_errors("reading the open conversation"):
        doc = await db.conversations.find_one({"open_chat_key": chat_key})
    return _from_doc(doc) if doc else None


async def find_open_any(db: Database, chat_keys: list[str]) -> list[Conversation]:
    """The open conversations among these chat keys (one customer's chats), oldest first.

    One indexed look-up per key (a customer has a few chats): the stand-in runs ``$in`` as a
    scan of every conversation (see ``mongo.eq``)."""
    docs = []
    with db_errors("reading the customer's open conversations"):
        for chat_key in dict.fromkeys(chat_keys):
            if (doc := await db.conversations.find_one({"open_chat_key": chat_key})) is not None:
                docs.append(doc)
    return sorted((_from_doc(d) for d in docs), key=lambda c: (c.opened_at, c.id))


async def retire(db: Database, conv: Conversation, merged_into: str) -> bool:
    """Another conversation of the same customer took over: this one stops receiving messages
    (its open key goes; its task stays as people left it). False if it changed meanwhile."""
    retired = msgspec.structs.replace(conv, merged_into=merged_into, version=conv.version + 1)
    with db_errors("retiring a merged conversation"):
        result = await db.conversations.replace_one({"_id": conv.id, "version": conv.version},
                                                    _to_doc(retired))
    return bool(result.matched_count)


async def get(db: Database, conversation_id: str) -> Conversation | None:
    with db_errors("reading a conversation"):
        doc = await db.conversations.find_one({"_id": conversation_id})
    return _from_doc(doc) if doc else None


_decision_encoder = msgspec.msgpack.Encoder()
_decision_decoder = msgspec.msgpack.Decoder(Decision)


async def find_decision(db: Database, event_id: str) -> Decision | None:
    with db_errors("reading a decision"):
        doc = await db.decisions.find_one({"_id": event_id})
    return _decision_decoder.decode(doc["body"]) if doc else None


async def record_decision(db: Database, decision: Decision, now: datetime) -> bool:
    """Store the decision before any effect; False when this event was decided before (the
    unique ``_id`` is the duplicate check, so a new message costs no lookup)."""
    doc = {"_id": decision.event_id, "body": _decision_encoder.encode(decision), "created_at": now}
    with db_errors("recording a decision"):
        try:
            await db.decisions.insert_one(doc)
        except DuplicateKeyError:
            return False
    return True


async def discard_decision(db: Database, event_id: str) -> None:
    """Forget a decision that could not be applied, so that its event is decided again."""
    with db_errors("discarding a stale decision"):
        await db.decisions.delete_one({"_id": event_id})


async def apply(db: Database, decision: Decision, *, replay: bool = False) -> bool:
    """Write the decision's conversation state; idempotent. False if the state moved elsewhere.

    ``replay``: the decision was recorded earlier (a redelivered or repeated message). A
    conversation already past its version has had it applied: decisions of one chat are
    applied in order, and a message is acknowledged only after its decision is applied.
    """
    conv = decision.conversation
    if conv is None:
        return True
    doc = _to_doc(conv) | {"last_event_id": decision.event_id}
    open_key = {"open_chat_key": conv.chat.key} if conv.is_open else {}
    with db_errors("saving the conversation"):
        if decision.previous_version is None:
            try:
                await db.conversations.insert_one(doc | open_key)
            except DuplicateKeyError:
                existing = await db.conversations.find_one({"_id": conv.id}, {"_id": 1})
                return existing is not None
            return True
        # a whole-document replace, not $set: the stand-in stores datetimes written by update
        # operators as strings; the replacement also drops open_chat_key when the state closes
        result = await db.conversations.replace_one(
            {"_id": conv.id, "version": decision.previous_version}, doc | open_key)
        if result.matched_count:
            return True
        current = await db.conversations.find_one({"_id": conv.id}, {"version": 1,
                                                                     "last_event_id": 1})
        if current is None:
            return False
        if current.get("last_event_id") == decision.event_id:
            return True
        return replay and int(current.get("version", 0)) > decision.previous_version


class MongoConversations:
    """The conversation store on MongoDB: the functions above, bound to one database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def find_open(self, chat_key: str) -> Conversation | None:
        return await find_open(self._db, chat_key)

    async def get(self, conversation_id: str) -> Conversation | None:
        return await get(self._db, conversation_id)

    async def find_open_any(self, chat_keys: list[str]) -> list[Conversation]:
        return await find_open_any(self._db, chat_keys)

    async def retire(self, conv: Conversation, merged_into: str) -> bool:
        return await retire(self._db, conv, merged_into)

    async def find_decision(self, event_id: str) -> Decision | None:
        return await find_decision(self._db, event_id)

    async def record_decision(self, decision: Decision, now: datetime) -> bool:
        return await record_decision(self._db, decision, now)

    async def discard_decision(self, event_id: str) -> None:
        await discard_decision(self._db, event_id)

    async def apply(self, decision: Decision, *, replay: bool = False) -> bool:
        return await apply(self._db, decision, replay=replay)
