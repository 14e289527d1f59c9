"""The bot's scenarios: one document holding the whole current set, replaced atomically.

Admins edit them through task-sync's API; bot-router reads them (cached, reloaded when a
``scenarios.changed`` event arrives). A single document keeps a replacement atomic: the bot never
sees half an old set and half a new one.
"""

from __future__ import annotations

from typing import Any

import msgspec
from pymongo.errors import DuplicateKeyError

from shared.domain.scenarios import Scenario, ScenarioAction, ScenarioSet
from shared.store.mongo import Database, db_errors

__all__ = ["Scenario", "ScenarioAction", "ScenarioSet", "load", "replace", "seed_if_empty"]

_DOC_ID = "current"


async def load(db: Database) -> ScenarioSet:
    with db_errors("reading scenarios"):
        doc = await db.scenarios.find_one({"_id": _DOC_ID})
    if doc is None:
        return ScenarioSet(version=0, items=[])
    return msgspec.convert({"version": doc["version"], "items": doc["items"]}, ScenarioSet)


async def replace(db: Database, items: list[Scenario]) -> ScenarioSet:
    """Replace the whole set; returns it with its new version.

    Compare-and-swap on the version, so concurrent replacements never share a version.
    """
    while True:
        current = await load(db)
        new = ScenarioSet(version=current.version + 1, items=items)
        doc: dict[str, Any] = {"_id": _DOC_ID, "version": new.version,
                               "items": msgspec.to_builtins(new.items)}
        with db_errors("replacing scenarios"):
            if current.version == 0:
                try:
                    await db.scenarios.insert_one(doc)
                except DuplicateKeyError:
                    continue  # another replacement or the seed came first
                return new
            result = await db.scenarios.replace_one(
                {"_id": _DOC_ID, "version": current.version}, doc)
        if result.matched_count:
            return new


async def seed_if_empty(db: Database, items: list[Scenario]) -> bool:
    doc: dict[str, Any] = {"_id": _DOC_ID, "version": 1, "items": msgspec.to_builtins(items)}
    with db_errors("seeding scenarios"):
        result = await db.scenarios.update_one(
            {"_id": _DOC_ID}, {"$setOnInsert": doc}, upsert=True)
    return result.upserted_id is not None
