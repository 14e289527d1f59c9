"""Ports of the console's sign-in and administration: accounts (logins, password hashes,
sessions, failed attempts, group membership), the audit log, and the dead-letter queues.

The null implementations stand in where a composition wires none (the bus-only tests): nobody
signs in, nothing is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.domain.accounts import Session
from shared.domain.audit import AuditEntry
from shared.domain.directory import User


class Accounts(Protocol):
    async def user_by_login(self, login: str) -> User | None: ...

    async def members_of(self, group_ids: list[str]) -> set[str]:
        """The ids of the users in any of these groups."""

    async def password_hash(self, user_id: str) -> str | None: ...

    async def set_password_hash(self, user_id: str, hashed: str, now: datetime) -> None: ...

    async def start_session(self, session_id: str, session: Session) -> None: ...

    async def session(self, session_id: str, now: datetime) -> Session | None:
        """The session unless it is unknown or expired."""

    async def end_session(self, session_id: str) -> None: ...

    async def end_sessions_of(self, user_id: str) -> None: ...

    async def delete_expired_sessions(self, now: datetime) -> int: ...

    async def record_failure(self, keys: list[str], now: datetime) -> None: ...

    async def failures_since(self, key: str, since: datetime) -> list[datetime]: ...

    async def clear_failures(self, key: str) -> None: ...

    async def forget_failures_before(self, before: datetime) -> None: ...


class AuditTrail(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...

    async def find(self, *, actor_id: str | None = None, action: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   limit: int = 100) -> list[AuditEntry]: ...


class DeadLetters(Protocol):
    """The dead-letter queues of the bus's work queues."""

    def queues(self) -> list[str]:
        """The work queues' short names (``outbound_sender.sends``)."""

    async def list(self, queue: str | None, limit: int) -> dict[str, Any]: ...

    async def replay(self, queue: str, limit: int, message_id: str | None) -> int: ...

    async def purge(self, queue: str) -> int: ...


class NoAccounts:
    """Nobody has a login or a session."""

    async def user_by_login(self, login: str) -> User | None:
        return None

    async def members_of(self, group_ids: list[str]) -> set[str]:
        return set()

    async def password_hash(self, user_id: str) -> str | None:
        return None

    async def set_password_hash(self, user_id: str, hashed: str, now: datetime) -> None:
        raise NotImplementedError("no account store is wired")

    async def start_session(self, session_id: str, session: Session) -> None:
        raise NotImplementedError("no account store is wired")

    async def session(self, session_id: str, now: datetime) -> Session | None:
        return None

    async def end_session(self, session_id: str) -> None:
        return None

    async def end_sessions_of(self, user_id: str) -> None:
        return None

    async def delete_expired_sessions(self, now: datetime) -> int:
        return 0

    async def record_failure(self, keys: list[str], now: datetime) -> None:
        return None

    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        return []

    async def clear_failures(self, key: str) -> None:
        return None

    async def forget_failures_before(self, before: datetime) -> None:
        return None


class NoAudit:
    """An audit log that keeps nothing."""

    async def append(self, entry: AuditEntry) -> None:
        return None

    async def find(self, *, actor_id: str | None = None, action: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   limit: int = 100) -> list[AuditEntry]:
        return []
