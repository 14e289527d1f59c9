"""The console's ports (``services/task_sync/application/console_ports.py``) over MongoDB."""

from __future__ import annotations

from datetime import datetime

from shared.domain.accounts import Session
from shared.domain.audit import AuditEntry
from shared.domain.directory import User
from shared.store import accounts, audit, directory
from shared.store.mongo import Database


class MongoAccounts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def user_by_login(self, login: str) -> User | None:
        return await directory.user_by_login(self._db, login)

    async def members_of(self, group_ids: list[str]) -> set[str]:
        return await directory.members_of(self._db, group_ids)

    async def password_hash(self, user_id: str) -> str | None:
        return await accounts.password_hash(self._db, user_id)

    async def set_password_hash(self, user_id: str, hashed: str, now: datetime) -> None:
        await accounts.set_password_hash(self._db, user_id, hashed, now)

    async def start_session(self, session_id: str, session: Session) -> None:
        await accounts.create_session(self._db, session_id, session)

    async def session(self, session_id: str, now: datetime) -> Session | None:
        return await accounts.get_session(self._db, session_id, now)

    async def end_session(self, session_id: str) -> None:
        await accounts.delete_session(self._db, session_id)

    async def end_sessions_of(self, user_id: str) -> None:
        await accounts.delete_sessions_of(self._db, user_id)

    async def delete_expired_sessions(self, now: datetime) -> int:
        return await accounts.delete_expired(self._db, now)

    async def record_failure(self, keys: list[str], now: datetime) -> None:
        await accounts.record_failure(self._db, keys, now)

    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        return await accounts.failures_since(self._db, key, since)

    async def clear_failures(self, key: str) -> None:
        await accounts.clear_failures(self._db, key)

    async def forget_failures_before(self, before: datetime) -> None:
        await accounts.forget_failures_before(self._db, before)


class MongoAudit:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def append(self, entry: AuditEntry) -> None:
        await audit.append(self._db, entry)

    async def find(self, *, actor_id: str | None = None, action: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   limit: int = 100) -> list[AuditEntry]:
        return await audit.find(self._db, actor_id=actor_id, action=action, since=since,
                                until=until, limit=limit)
