"""Users, groups and contacts (owned by task-sync).

Phones are stored as digits only. A contact's phones are also indexed one document each in
``contact_phones`` (the portable way to look up by an element of a list).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Database, db_errors


class User(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    full_name: str
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False
    is_service: bool = False


class Group(msgspec.Struct, kw_only=True):
    id: str
    name: str


class Contact(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    name: str
    phones: list[str] = []
    responsible_user_id: str | None = None


def digits(phone: str) -> str:
    """The phone as WhatsApp ids write it: digits with the country code, nothing else."""
    return re.sub(r"\D", "", phone)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _doc(item: msgspec.Struct) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(item)
    doc["_id"] = doc.pop("id")
    return doc


def _load(cls: type[Any], doc: dict[str, Any]) -> Any:
    doc = {k: v for k, v in doc.items() if k != "token_hash"}
    doc["id"] = doc.pop("_id")
    return msgspec.convert(doc, cls)


async def ensure_indexes(db: Database) -> None:
    await db.users.create_index("token_hash", unique=True, sparse=True)
    await db.users.create_index([("full_name", ASCENDING)])
    await db.groups.create_index("name", unique=True)
    await db.contact_phones.create_index([("contact_id", ASCENDING)])


async def upsert_user(db: Database, user: User, token: str | None = None) -> None:
    doc = _doc(user)
    if token:
        doc["token_hash"] = token_hash(token)
    with db_errors("saving a user"):
        await db.users.replace_one({"_id": user.id}, doc, upsert=True)


async def user_by_token(db: Database, token: str) -> User | None:
    with db_errors("checking an API token"):
        doc = await db.users.find_one({"token_hash": token_hash(token)})
    return _load(User, doc) if doc else None


async def get_user(db: Database, user_id: str) -> User | None:
    with db_errors("reading a user"):
        doc = await db.users.find_one({"_id": user_id})
    return _load(User, doc) if doc else None


async def user_by_name(db: Database, full_name: str) -> User | None:
    with db_errors("reading a user"):
        doc = await db.users.find_one({"full_name": full_name})
    return _load(User, doc) if doc else None


async def count_users(db: Database) -> int:
    with db_errors("counting users"):
        return await db.users.count_documents({})


async def upsert_group(db: Database, group: Group) -> None:
    with db_errors("saving a group"):
        try:
            await db.groups.replace_one({"_id": group.id}, _doc(group), upsert=True)
        except DuplicateKeyError as exc:
            raise ValueError(f"a group named {group.name!r} exists already") from exc


async def group_by_name(db: Database, name: str) -> Group | None:
    with db_errors("reading a group"):
        doc = await db.groups.find_one({"name": name})
    return _load(Group, doc) if doc else None


async def upsert_contact(db: Database, contact: Contact) -> None:
    contact = msgspec.structs.replace(contact, phones=[digits(p) for p in contact.phones])
    with db_errors("saving a contact"):
        await db.contacts.replace_one({"_id": contact.id}, _doc(contact), upsert=True)
        await db.contact_phones.delete_many({"contact_id": contact.id})
        for phone in contact.phones:
            await db.contact_phones.replace_one(
                {"_id": phone}, {"_id": phone, "contact_id": contact.id}, upsert=True)


async def contact_by_phone(db: Database, phone: str) -> Contact | None:
    with db_errors("looking up a contact by phone"):
        link = await db.contact_phones.find_one({"_id": digits(phone)})
        if link is None:
            return None
        doc = await db.contacts.find_one({"_id": link["contact_id"]})
    return _load(Contact, doc) if doc else None


async def get_contact(db: Database, contact_id: str) -> Contact | None:
    with db_errors("reading a contact"):
        doc = await db.contacts.find_one({"_id": contact_id})
    return _load(Contact, doc) if doc else None
