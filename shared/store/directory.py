"""Users, groups and contacts (owned by task-sync).

Phones are stored as digits only. A contact's phones are also indexed one document each in
``contact_phones``, a user's in ``user_phones``, and a user's groups in ``group_members`` (the
portable way to look up by an element of a list: equality on an element of an indexed array
matches nothing on the nx-27017 stand-in). A console login is unique among users.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.domain.directory import Contact, Group, User, digits
from shared.errors import RetryableError
from shared.store.mongo import Database, db_errors, read_as, to_doc

__all__ = ["Contact", "Group", "User", "digits"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _doc(item: msgspec.Struct) -> dict[str, Any]:
    return to_doc(item)


def _load(cls: type[Any], doc: dict[str, Any]) -> Any:
    return read_as(cls, doc, drop=("token_hash",))


async def ensure_indexes(db: Database) -> None:
    await db.users.create_index("token_hash", unique=True, sparse=True)
    await db.users.create_index([("full_name", ASCENDING)])
    await db.groups.create_index("name", unique=True)
    await db.contact_phones.create_index([("contact_id", ASCENDING)])
    await db.user_phones.create_index([("user_id", ASCENDING)])
    await db.contacts.create_index([("name", ASCENDING)])
    await db.users.create_index("login", unique=True, sparse=True)
    await db.group_members.create_index([("group_id", ASCENDING)])
    await db.group_members.create_index([("user_id", ASCENDING)])
    await _backfill_group_members(db)


async def _backfill_group_members(db: Database) -> None:
    """Users stored before ``group_members`` existed get their lookups (idempotent)."""
    with db_errors("indexing group members"):
        if await db.group_members.count_documents({}, limit=1):
            return
        async for doc in db.users.find({}, {"group_ids": 1}):
            await _link_groups(db, str(doc["_id"]), list(doc.get("group_ids") or []))


async def upsert_user(db: Database, user: User, token: str | None = None) -> None:
    """Create or replace a user; an existing API token is kept unless ``token`` replaces it."""
    user = msgspec.structs.replace(user, phones=[digits(p) for p in user.phones])
    with db_errors("saving a user"):
        try:
            await _replace_keeping_token(db, _doc(user), token_hash(token) if token else None)
        except DuplicateKeyError as exc:
            if user.login and await db.users.find_one(
                    {"login": user.login, "_id": {"$ne": user.id}}, {"_id": 1}):
                raise ValueError(f"the login {user.login!r} is taken") from exc
            raise
        await _link_phones(db.user_phones, "user_id", user.id, user.phones)
        await _link_groups(db, user.id, user.group_ids)


async def _link_groups(db: Database, user_id: str, group_ids: list[str]) -> None:
    """One lookup document per (group, member)."""
    await db.group_members.delete_many({"user_id": user_id})
    for group_id in group_ids:
        key = f"{group_id}\x1f{user_id}"
        await db.group_members.replace_one(
            {"_id": key}, {"_id": key, "group_id": group_id, "user_id": user_id}, upsert=True)


async def members_of(db: Database, group_ids: list[str]) -> set[str]:
    """The ids of the users in any of these groups."""
    if not group_ids:
        return set()
    with db_errors("listing group members"):
        docs = await db.group_members.find({"group_id": {"$in": group_ids}},
                                           {"user_id": 1}).to_list(None)
    return {str(d["user_id"]) for d in docs}


async def user_by_login(db: Database, login: str) -> User | None:
    with db_errors("reading a user"):
        doc = await db.users.find_one({"login": login})
    return _load(User, doc) if doc else None


async def _replace_keeping_token(db: Database, doc: dict[str, Any], new_hash: str | None) -> None:
    """Replace the whole document (``$set`` of a boolean stores 0/1 on the stand-in), carrying
    the stored token over; the token read is a precondition, so a token issued or revoked
    meanwhile is neither lost nor revived."""
    for _ in range(5):
        current = await db.users.find_one({"_id": doc["_id"]}, {"token_hash": 1})
        if current is None:
            try:
                await db.users.insert_one(doc | ({"token_hash": new_hash} if new_hash else {}))
                return
            except DuplicateKeyError:
                if await db.users.find_one({"_id": doc["_id"]}, {"_id": 1}) is None:
                    raise  # the token, not the id, is taken
                continue
        kept = current.get("token_hash")
        token = new_hash or kept
        same_token = {"token_hash": kept} if kept else {"token_hash": {"$exists": False}}
        result = await db.users.replace_one(
            {"_id": doc["_id"], **same_token}, doc | ({"token_hash": token} if token else {}))
        if result.matched_count:
            return
    raise RetryableError(f"user {doc['_id']} kept changing while being saved", code="DB_CONFLICT")


async def _link_phones(links: AsyncCollection[dict[str, Any]], owner_field: str, owner: str,
                       phones: list[str]) -> None:
    """One lookup document per phone; a phone listed by another owner moves to this one."""
    await links.delete_many({owner_field: owner})
    for phone in phones:
        await links.replace_one({"_id": phone}, {"_id": phone, owner_field: owner}, upsert=True)


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
        await _link_phones(db.contact_phones, "contact_id", contact.id, contact.phones)


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


async def contact_phone_owner(db: Database, phone: str) -> str | None:
    """The id of the contact that has this phone, if any."""
    with db_errors("looking up a contact by phone"):
        link = await db.contact_phones.find_one({"_id": digits(phone)})
    return str(link["contact_id"]) if link else None


async def list_contacts(db: Database, *, name_part: str | None = None, limit: int = 100,
                        offset: int = 0) -> list[Contact]:
    """Contacts by name; ``name_part`` matches anywhere in the name, ignoring case."""
    query: dict[str, Any] = {}
    if name_part:
        query["name"] = {"$regex": re.escape(name_part), "$options": "i"}
    with db_errors("listing contacts"):
        cursor = db.contacts.find(query).sort([("name", ASCENDING), ("_id", ASCENDING)])
        docs = await cursor.skip(offset).limit(limit).to_list(None)
    return [_load(Contact, d) for d in docs]


async def delete_contact(db: Database, contact_id: str) -> bool:
    """Remove a contact and its phone lookups; False when there was none."""
    with db_errors("deleting a contact"):
        await db.contact_phones.delete_many({"contact_id": contact_id})
        result = await db.contacts.delete_one({"_id": contact_id})
    return result.deleted_count == 1


async def count_contacts_of(db: Database, user_id: str) -> int:
    """How many contacts name this user as their responsible employee."""
    with db_errors("counting contacts"):
        return await db.contacts.count_documents({"responsible_user_id": user_id})


# ---- users: phones, listing, tokens ---------------------------------------------------------


async def user_by_phone(db: Database, phone: str) -> User | None:
    with db_errors("looking up a user by phone"):
        link = await db.user_phones.find_one({"_id": digits(phone)})
        if link is None:
            return None
        doc = await db.users.find_one({"_id": link["user_id"]})
    return _load(User, doc) if doc else None


async def list_users(db: Database, *, limit: int = 100, offset: int = 0) -> list[User]:
    with db_errors("listing users"):
        cursor = db.users.find({}).sort([("full_name", ASCENDING), ("_id", ASCENDING)])
        docs = await cursor.skip(offset).limit(limit).to_list(None)
    return [_load(User, d) for d in docs]


async def delete_user(db: Database, user_id: str) -> bool:
    """Remove a user, its phone lookups and so its token; False when there was none."""
    with db_errors("deleting a user"):
        await db.user_phones.delete_many({"user_id": user_id})
        await db.group_members.delete_many({"user_id": user_id})
        await db.credentials.delete_many({"_id": user_id})
        await db.sessions.delete_many({"user_id": user_id})
        result = await db.users.delete_one({"_id": user_id})
    return result.deleted_count == 1


async def set_token(db: Database, user_id: str, token: str) -> bool:
    """Make ``token`` the user's only API token; False for unknown or service users."""
    with db_errors("saving an API token"):
        result = await db.users.update_one(
            {"_id": user_id, "is_service": {"$exists": False}},
            {"$set": {"token_hash": token_hash(token)}})
    return result.matched_count == 1


async def revoke_token(db: Database, user_id: str) -> bool:
    """Remove the user's API token; False when there is no such user."""
    with db_errors("revoking an API token"):
        result = await db.users.update_one({"_id": user_id}, {"$unset": {"token_hash": ""}})
    return result.matched_count == 1


# ---- groups ---------------------------------------------------------------------------------


async def get_group(db: Database, group_id: str) -> Group | None:
    with db_errors("reading a group"):
        doc = await db.groups.find_one({"_id": group_id})
    return _load(Group, doc) if doc else None


async def list_groups(db: Database) -> list[Group]:
    with db_errors("listing groups"):
        cursor = db.groups.find({}).sort([("name", ASCENDING), ("_id", ASCENDING)])
        docs = await cursor.to_list(None)
    return [_load(Group, d) for d in docs]


async def count_members(db: Database, group_id: str) -> int:
    # $all, not element equality: the stand-in matches no element of an indexed array by equality
    with db_errors("counting group members"):
        return await db.users.count_documents({"group_ids": {"$all": [group_id]}})


async def delete_group(db: Database, group_id: str) -> bool:
    with db_errors("deleting a group"):
        result = await db.groups.delete_one({"_id": group_id})
    return result.deleted_count == 1
