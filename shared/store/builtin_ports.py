"""The built-in store behind task-sync's other ports: the directory, file bytes, channel
states and scenarios, each a class over its collection module so callers hold no database handle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from shared.domain.directory import Contact, Group, User
from shared.domain.files import StoredFile
from shared.domain.inbox import Activity, InboxQuery
from shared.domain.scenarios import Scenario, ScenarioSet
from shared.domain.tasks import Task
from shared.store import channels, directory, files, inbox, scenarios
from shared.store.mongo import Database


class MongoFiles:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> StoredFile:
        return await files.put(self._db, file_id, file_name, mime_type, data)

    async def describe(self, file_id: str) -> StoredFile | None:
        return await files.describe(self._db, file_id)

    def chunks(self, file_id: str) -> AsyncIterator[bytes]:
        return files.chunks(self._db, file_id)


class MongoChannels:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_state(self, channel_id: str, provider: str, state: str,
                           tier: str | None, at: datetime,
                           transport: str | None = None) -> None:
        await channels.record_state(self._db, channel_id, provider, state, tier, at, transport)

    async def record_webhook(self, channel_id: str, provider: str, at: datetime) -> None:
        await channels.record_webhook(self._db, channel_id, provider, at)

    async def get(self, channel_id: str) -> dict[str, Any] | None:
        return await channels.get(self._db, channel_id)

    async def all(self) -> list[dict[str, Any]]:
        return await channels.all_channels(self._db)


class MongoInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_activity(self, items: list[Activity]) -> None:
        await inbox.record_activity(self._db, items)

    async def find(self, query: InboxQuery) -> list[Task]:
        return await inbox.find(self._db, query)

    async def count(self, query: InboxQuery, cap: int) -> int:
        return await inbox.count(self._db, query, cap)

    async def mark_seen(self, user_id: str, task_id: str, seen_count: int,
                        at: datetime) -> None:
        await inbox.mark_seen(self._db, user_id, task_id, seen_count, at)

    async def seen_counts(self, user_id: str, task_ids: list[str]) -> dict[str, int]:
        return await inbox.seen_counts(self._db, user_id, task_ids)

    async def tasks_with_text(self, text: str, since: datetime,
                              limit: int = 200) -> list[str]:
        return await inbox.tasks_with_text(self._db, text, since, limit)


class MongoScenarios:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> ScenarioSet:
        return await scenarios.load(self._db)

    async def replace(self, items: list[Scenario]) -> ScenarioSet:
        return await scenarios.replace(self._db, items)


class MongoDirectory:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def user_by_token(self, token: str) -> User | None:
        return await directory.user_by_token(self._db, token)

    async def get_user(self, user_id: str) -> User | None:
        return await directory.get_user(self._db, user_id)

    async def user_by_name(self, full_name: str) -> User | None:
        return await directory.user_by_name(self._db, full_name)

    async def user_by_phone(self, phone: str) -> User | None:
        return await directory.user_by_phone(self._db, phone)

    async def count_users(self) -> int:
        return await directory.count_users(self._db)

    async def list_users(self, *, limit: int = 100, offset: int = 0) -> list[User]:
        return await directory.list_users(self._db, limit=limit, offset=offset)

    async def upsert_user(self, user: User, token: str | None = None) -> None:
        await directory.upsert_user(self._db, user, token)

    async def delete_user(self, user_id: str) -> bool:
        return await directory.delete_user(self._db, user_id)

    async def set_token(self, user_id: str, token: str) -> bool:
        return await directory.set_token(self._db, user_id, token)

    async def revoke_token(self, user_id: str) -> bool:
        return await directory.revoke_token(self._db, user_id)

    async def get_group(self, group_id: str) -> Group | None:
        return await directory.get_group(self._db, group_id)

    async def group_by_name(self, name: str) -> Group | None:
        return await directory.group_by_name(self._db, name)

    async def list_groups(self) -> list[Group]:
        return await directory.list_groups(self._db)

    async def upsert_group(self, group: Group) -> None:
        await directory.upsert_group(self._db, group)

    async def count_members(self, group_id: str) -> int:
        return await directory.count_members(self._db, group_id)

    async def delete_group(self, group_id: str) -> bool:
        return await directory.delete_group(self._db, group_id)

    async def get_contact(self, contact_id: str) -> Contact | None:
        return await directory.get_contact(self._db, contact_id)

    async def contact_by_phone(self, phone: str) -> Contact | None:
        return await directory.contact_by_phone(self._db, phone)

    async def contact_phone_owner(self, phone: str) -> str | None:
        return await directory.contact_phone_owner(self._db, phone)

    async def list_contacts(self, *, name_part: str | None = None, limit: int = 100,
                            offset: int = 0) -> list[Contact]:
        return await directory.list_contacts(self._db, name_part=name_part, limit=limit,
                                             offset=offset)

    async def upsert_contact(self, contact: Contact) -> None:
        await directory.upsert_contact(self._db, contact)

    async def delete_contact(self, contact_id: str) -> bool:
        return await directory.delete_contact(self._db, contact_id)

    async def count_contacts_of(self, user_id: str) -> int:
        return await directory.count_contacts_of(self._db, user_id)
