"""The bot's scenarios: one document holding the whole current set, replaced atomically.

Admins edit them through task-sync's API; bot-router reads them (cached, reloaded when a
``scenarios.changed`` event arrives). A single document keeps a replacement atomic: the bot never
sees half an old set and half a new one.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Database, db_errors

ScenarioAction = Literal["hand_over", "close"]
_DOC_ID = "current"


class Scenario(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """A trigger (codes and/or keywords) and the bot's answer, with an optional follow-up action."""

    id: str
    answer: str
    title: str = ""
    codes: list[str] = []
    keywords: list[str] = []
    action: ScenarioAction | None = None

    def __post_init__(self) -> None:
        if not self.codes and not self.keywords:
            raise ValueError(f"scenario {self.id!r} needs at least one code or keyword")
        if not self.answer.strip():
            raise ValueError(f"scenario {self.id!r} needs an answer text")


class ScenarioSet(msgspec.Struct, kw_only=True, frozen=True):
    version: int
    items: list[Scenario]

    def __post_init__(self) -> None:
        ids = [s.id for s in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("scenario ids must be unique")


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
