"""What signing in to the console stores: password hashes (apart from the users, so no user
listing can carry one), sessions and recent failed sign-ins.

A session is stored under the SHA-256 of its id (the cookie's value never rests in the
database) with its CSRF token and an expiry stamp; expired sessions are refused on reading and
deleted by ``delete_expired`` (no TTL index: the stand-in purges on every find). Failed
sign-ins are one document per failure, counted over a time range per key (a login, an address),
so the throttle holds across replicas.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import msgspec
from pymongo import ASCENDING

from shared import events
from shared.domain.accounts import Session
from shared.store.mongo import Database, db_errors, eq, read_as, stamp

__all__ = ["Session"]


def session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def ensure_indexes(db: Database) -> None:
    await db.sessions.create_index([("expires_at", ASCENDING)])
    await db.sessions.create_index([("user_id", ASCENDING)])
    await db.login_failures.create_index([("key", ASCENDING), ("at", ASCENDING)])
    await db.login_failures.create_index([("at", ASCENDING)])


# ---- passwords ------------------------------------------------------------------------------


async def password_hash(db: Database, user_id: str) -> str | None:
    with db_errors("reading a password hash"):
        doc = await db.credentials.find_one({"_id": user_id})
    return str(doc["password_hash"]) if doc else None


async def set_password_hash(db: Database, user_id: str, hashed: str, now: datetime) -> None:
    with db_errors("saving a password hash"):
        await db.credentials.replace_one(
            {"_id": user_id}, {"_id": user_id, "password_hash": hashed, "set_at": stamp(now)},
            upsert=True)


# ---- sessions -------------------------------------------------------------------------------


async def create_session(db: Database, session_id: str, session: Session) -> None:
    doc = {"_id": session_key(session_id), "user_id": session.user_id,
           "csrf_token": session.csrf_token, "expires_at": stamp(session.expires_at)}
    with db_errors("starting a session"):
        await db.sessions.insert_one(doc)


async def get_session(db: Database, session_id: str, now: datetime) -> Session | None:
    """The session, unless it is unknown or expired."""
    with db_errors("reading a session"):
        doc = await db.sessions.find_one({"_id": session_key(session_id),
                                          "expires_at": {"$gt": stamp(now)}})
    if doc is None:
        return None
    return read_as(Session, doc, drop=("_id",))


async def delete_session(db: Database, session_id: str) -> None:
    with db_errors("ending a session"):
        await db.sessions.delete_one({"_id": session_key(session_id)})


async def delete_sessions_of(db: Database, user_id: str) -> None:
    with db_errors("ending a user's sessions"):
        await db.sessions.delete_many({"user_id": user_id})


async def delete_expired(db: Database, now: datetime) -> int:
    with db_errors("deleting expired sessions"):
        result = await db.sessions.delete_many({"expires_at": {"$lte": stamp(now)}})
    return result.deleted_count


# ---- failed sign-ins ------------------------------------------------------------------------


async def record_failure(db: Database, keys: list[str], now: datetime) -> None:
    docs: list[dict[str, Any]] = [{"_id": events.new_id(), "key": key, "at": stamp(now)}
                                  for key in keys]
    with db_errors("recording a failed sign-in"):
        await db.login_failures.insert_many(docs)


async def failures_since(db: Database, key: str, since: datetime) -> list[datetime]:
    """The times of ``key``'s failures since ``since``, oldest first."""
    with db_errors("counting failed sign-ins"):
        docs = await db.login_failures.find(
            {"key": eq(key), "at": {"$gte": stamp(since)}}, {"at": 1}).sort("at", ASCENDING) \
            .to_list(None)
    return [msgspec.convert(d["at"], datetime, strict=False) for d in docs]


async def clear_failures(db: Database, key: str) -> None:
    with db_errors("clearing failed sign-ins"):
        await db.login_failures.delete_many({"key": eq(key)})


async def forget_failures_before(db: Database, before: datetime) -> None:
    with db_errors("deleting old failed sign-ins"):
        await db.login_failures.delete_many({"at": {"$lt": stamp(before)}})
