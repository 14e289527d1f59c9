"""The bot's flows (issue 12): drafts, immutable numbered versions and the live pointer.

Three collections, all portable (single-document writes, string ids):

* ``flow_live``: one document per key holding the whole live ``FlowVersion``. It is the single
  point a publish is decided at (a replace conditioned on the version it replaces), and what
  bot-router reads: ``live`` is one read by ``_id``.
* ``flow_versions``: one immutable document per (key, version), ``_id`` ``"<key>:<n>"``.
  A publish writes it after winning the pointer; a publish that stopped in between is healed
  from the pointer (same content), so two versions never share a number and no version is
  ever half published.
* ``flow_drafts``: one document per key, replaced on each save.
"""

from __future__ import annotations

from typing import Any

import msgspec
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.drafts import FlowDraft, KeyInfo, PublishConflict, VersionInfo
from shared.domain.flows import FlowSet, FlowVersion
from shared.store.mongo import Database, db_errors, eq

__all__ = ["MongoFlows", "delete_draft", "ensure_indexes", "get_draft", "get_version", "keys",
           "live", "publish", "save_draft", "versions"]


def _version_id(key: str, version: int) -> str:
    return f"{key}:{version}"


def _doc(found: FlowVersion) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(found)
    if doc.get("published_by") is None:
        doc.pop("published_by", None)  # never an explicit null
    return doc


def _version(doc: dict[str, Any]) -> FlowVersion:
    doc = {k: v for k, v in doc.items() if k != "_id"}
    return msgspec.convert(doc, FlowVersion, strict=False)


async def ensure_indexes(db: Database) -> None:
    await db.flow_versions.create_index([("key", ASCENDING), ("version", ASCENDING)],
                                        unique=True)


async def live(db: Database, key: str) -> FlowVersion | None:
    """The live version of ``key``'s flow set (one read by id), or None if never published."""
    with db_errors("reading the live flow"):
        doc = await db.flow_live.find_one({"_id": key})
    return _version(doc) if doc else None


async def _keep_in_history(db: Database, current: FlowVersion) -> None:
    """Make sure the live version is in the history too (heals a publish that stopped after
    moving the pointer; the same content, so a duplicate is simply already there)."""
    doc = _doc(current) | {"_id": _version_id(current.key, current.version)}
    try:
        with db_errors("recording a flow version"):
            await db.flow_versions.insert_one(doc)
    except DuplicateKeyError:
        pass


async def publish(db: Database, key: str, flow: FlowSet, *, published_at: str,
                  published_by: str | None = None, note: str = "",
                  expected_version: int | None = None) -> FlowVersion:
    """Publish ``flow`` as ``key``'s next version and make it live, atomically.

    ``expected_version``: refuse unless the live version is still this one (0: none yet).
    Raises ``PublishConflict`` when another publish came first; nothing is stored then.
    """
    current = await live(db, key)
    number = current.version if current else 0
    if expected_version is not None and expected_version != number:
        raise PublishConflict(f"flow {key} is at version {number}, not {expected_version}")
    if current is not None:
        await _keep_in_history(db, current)
    new = FlowVersion(key=key, version=number + 1, flow=msgspec.structs.replace(flow, key=key),
                      published_at=published_at, published_by=published_by, note=note)
    doc = _doc(new) | {"_id": key}
    with db_errors("publishing a flow"):
        if current is None:
            try:
                await db.flow_live.insert_one(doc)
            except DuplicateKeyError:
                raise PublishConflict(f"flow {key} was published meanwhile") from None
        else:
            result = await db.flow_live.replace_one({"_id": key, "version": number}, doc)
            if not result.matched_count:
                raise PublishConflict(f"flow {key} was published meanwhile")
    await _keep_in_history(db, new)
    return new


async def get_version(db: Database, key: str, version: int) -> FlowVersion | None:
    with db_errors("reading a flow version"):
        doc = await db.flow_versions.find_one({"_id": _version_id(key, version)})
    if doc is not None:
        return _version(doc)
    current = await live(db, key)  # published, but its history copy not written yet
    return current if current is not None and current.version == version else None


async def versions(db: Database, key: str, limit: int = 500) -> list[VersionInfo]:
    """``key``'s published versions, newest first, without their flow sets."""
    current = await live(db, key)
    if current is not None:
        await _keep_in_history(db, current)
    with db_errors("listing flow versions"):
        cursor = db.flow_versions.find({"key": eq(key)}, {"flow": 0, "_id": 0}).sort(
            "version", DESCENDING).limit(limit)
        docs = await cursor.to_list(length=limit)
    return [msgspec.convert({k: v for k, v in d.items() if k != "key"}, VersionInfo,
                            strict=False) for d in docs]


async def get_draft(db: Database, key: str) -> FlowDraft | None:
    with db_errors("reading a flow draft"):
        doc = await db.flow_drafts.find_one({"_id": key})
    if doc is None:
        return None
    return msgspec.convert({k: v for k, v in doc.items() if k != "_id"}, FlowDraft,
                           strict=False)


async def save_draft(db: Database, draft: FlowDraft) -> None:
    """Replace ``draft.key``'s draft (created when missing)."""
    doc: dict[str, Any] = msgspec.to_builtins(draft) | {"_id": draft.key}
    with db_errors("saving a flow draft"):
        await db.flow_drafts.replace_one({"_id": draft.key}, doc, upsert=True)


async def delete_draft(db: Database, key: str, *, if_updated_at: str | None = None) -> bool:
    """Drop ``key``'s draft (only if still saved at ``if_updated_at``, when given)."""
    query: dict[str, Any] = {"_id": key}
    if if_updated_at is not None:
        query["updated_at"] = if_updated_at
    with db_errors("deleting a flow draft"):
        result = await db.flow_drafts.delete_one(query)
    return result.deleted_count > 0


async def keys(db: Database, limit: int = 1000) -> list[KeyInfo]:
    """Every key with a live version or a draft, sorted by key."""
    with db_errors("listing flows"):
        lives = await db.flow_live.find({}, {"_id": 1, "version": 1}).to_list(length=limit)
        drafts = await db.flow_drafts.find({}, {"_id": 1, "updated_at": 1}).to_list(
            length=limit)
    found: dict[str, KeyInfo] = {d["_id"]: KeyInfo(key=d["_id"], live_version=int(d["version"]))
                                 for d in lives}
    for d in drafts:
        before = found.get(d["_id"], KeyInfo(key=d["_id"]))
        found[d["_id"]] = msgspec.structs.replace(before, draft_updated_at=str(d["updated_at"]))
    return [found[k] for k in sorted(found)]


class MongoFlows:
    """task-sync's ``FlowStore`` port over this module."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def live(self, key: str) -> FlowVersion | None:
        return await live(self._db, key)

    async def get_version(self, key: str, version: int) -> FlowVersion | None:
        return await get_version(self._db, key, version)

    async def versions(self, key: str) -> list[VersionInfo]:
        return await versions(self._db, key)

    async def publish(self, key: str, flow: FlowSet, *, published_at: str,
                      published_by: str | None = None, note: str = "",
                      expected_version: int | None = None) -> FlowVersion:
        return await publish(self._db, key, flow, published_at=published_at,
                             published_by=published_by, note=note,
                             expected_version=expected_version)

    async def get_draft(self, key: str) -> FlowDraft | None:
        return await get_draft(self._db, key)

    async def save_draft(self, draft: FlowDraft) -> None:
        await save_draft(self._db, draft)

    async def delete_draft(self, key: str, *, if_updated_at: str | None = None) -> bool:
        return await delete_draft(self._db, key, if_updated_at=if_updated_at)

    async def keys(self) -> list[KeyInfo]:
        return await keys(self._db)
