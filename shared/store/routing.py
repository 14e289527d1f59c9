"""Routing inside groups: each group's policy, each person's availability and capacity, the
round-robin cursor of a group, and the reads the choice needs (open tasks per person, a
group's queue oldest first).

The cursor is one document per group with a sequence number; an automatic assignment moves it
with the number as a precondition, so two replicas routing the same group at once do not give
two tasks to the same "next" person (the loser reads the cursor again).
"""

from __future__ import annotations

from typing import Any

import msgspec
from pymongo import ASCENDING

from shared.domain.routing import AgentState, GroupPolicy, default_policy
from shared.domain.tasks import Task
from shared.store import tasks as task_docs
from shared.store.mongo import Database, db_errors, read_as


async def ensure_indexes(db: Database) -> None:
    # the queue of a group, oldest first (the inbox's group index leads with the same fields)
    await db.tasks.create_index([("assignee_group_id", ASCENDING), ("status", ASCENDING),
                                 ("created_at", ASCENDING)], sparse=True)


def _doc(item: msgspec.Struct, key: str) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(item)
    doc["_id"] = doc[key]
    return doc


async def policy(db: Database, group_id: str) -> GroupPolicy:
    with db_errors("reading a group's policy"):
        doc = await db.group_policies.find_one({"_id": group_id})
    if doc is None:
        return default_policy(group_id)
    doc.pop("_id")
    return msgspec.convert(doc, GroupPolicy, strict=False)


async def policies(db: Database) -> list[GroupPolicy]:
    with db_errors("listing group policies"):
        docs = await db.group_policies.find({}).to_list(None)
    return [msgspec.convert({k: v for k, v in d.items() if k != "_id"}, GroupPolicy,
                            strict=False) for d in docs]


async def save_policy(db: Database, item: GroupPolicy) -> None:
    """Replace the whole document (dates and flags keep their types on the stand-in)."""
    with db_errors("saving a group's policy"):
        await db.group_policies.replace_one({"_id": item.group_id}, _doc(item, "group_id"),
                                            upsert=True)


async def agent(db: Database, user_id: str) -> AgentState:
    return (await agents(db, [user_id]))[user_id]


async def agents(db: Database, user_ids: list[str]) -> dict[str, AgentState]:
    """Everyone's state; a person never set is online with no capacity limit."""
    with db_errors("reading availability"):
        docs = await db.agent_states.find({"_id": {"$in": user_ids}}).to_list(None)
    found = {str(d["_id"]): read_as(AgentState, {k: v for k, v in d.items() if k != "_id"})
             for d in docs}
    return {u: found.get(u) or AgentState(user_id=u) for u in user_ids}


async def save_agent(db: Database, state: AgentState) -> None:
    with db_errors("saving availability"):
        await db.agent_states.replace_one({"_id": state.user_id}, _doc(state, "user_id"),
                                          upsert=True)


async def members(db: Database, group_id: str) -> list[str]:
    with db_errors("listing group members"):
        docs = await db.group_members.find({"group_id": group_id}, {"user_id": 1}).to_list(None)
    return sorted({str(d["user_id"]) for d in docs})


async def open_counts(db: Database, user_ids: list[str], open_statuses: list[str]
                      ) -> dict[str, int]:
    """How many open tasks each person holds (one indexed count each)."""
    out: dict[str, int] = {}
    with db_errors("counting open tasks"):
        for user_id in user_ids:
            out[user_id] = await db.tasks.count_documents(
                {"assignee_user_id": user_id, "status": {"$in": open_statuses}})
    return out


async def queued(db: Database, group_id: str, status: str, limit: int = 50) -> list[Task]:
    """The group's unassigned tasks in ``status``, oldest first."""
    with db_errors("reading a group's queue"):
        docs = await db.tasks.find(
            {"assignee_group_id": group_id, "status": status,
             "assignee_user_id": {"$exists": False}}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit).to_list(None)
    return [read_as(Task, d, drop=task_docs.INTERNAL_FIELDS) for d in docs]


async def cursor(db: Database, group_id: str) -> tuple[str | None, int]:
    """(who the group's last automatic assignment went to, the cursor's sequence number)."""
    with db_errors("reading a routing cursor"):
        await db.route_cursors.update_one({"_id": group_id}, {"$setOnInsert": {"seq": 0}},
                                          upsert=True)
        doc = await db.route_cursors.find_one({"_id": group_id})
    if doc is None:
        return None, 0
    return doc.get("last_user_id"), int(doc.get("seq", 0))


async def advance(db: Database, group_id: str, seq: int, user_id: str) -> bool:
    """Move the cursor to ``user_id`` unless another assignment moved it since ``seq``."""
    with db_errors("moving a routing cursor"):
        result = await db.route_cursors.update_one(
            {"_id": group_id, "seq": seq}, {"$set": {"last_user_id": user_id, "seq": seq + 1}})
    return result.modified_count == 1
