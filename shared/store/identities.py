"""Customers and the identifiers that name them (owned by bot-router).

``identities``: one document per identifier (``_id`` = scope|kind:value), naming its customer and
what linked it (the message, the reason, when): the record of every link. ``customers``: one per
person, with the chat ids their conversations were keyed by; a customer found to be another
keeps ``merged_into`` (and the survivor ``merged_from``), so a merge is recorded and undone by
nobody. Every write is a single-document insert or a version compare-and-set; a race with
another consumer is met by reading again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.domain.identities import (
    Customer,
    CustomerRecord,
    Identifier,
    IdentityLink,
    LinkSource,
    Merge,
    Resolution,
    customer_id_for,
    survivor,
)
from shared.errors import RetryableError
from shared.store.mongo import Database, db_errors, read_as, to_doc

ATTEMPTS = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MERGE_HOPS = 8


class _Raced(Exception):
    """Another consumer linked or changed the same customer meanwhile."""


async def ensure_indexes(db: Database) -> None:
    await db.identities.create_index("customer_id")


def identity_key(scope: str, identifier: Identifier) -> str:
    return f"{scope}|{identifier.key}"


async def resolve(db: Database, scope: str, identifiers: list[Identifier], chat_ids: list[str],
                  source: LinkSource, now: datetime, changed: list[Identifier] | None = None
                  ) -> Resolution:
    """The customer these identifiers name, creating, linking and merging as needed;
    ``changed`` are new identifiers the customer announced (they become current)."""
    for _ in range(ATTEMPTS):
        try:
            return await _resolve_once(db, scope, identifiers, chat_ids, source, now,
                                       changed or [])
        except _Raced:
            continue
    raise RetryableError("a customer's identifiers kept changing concurrently", code="CONFLICT")


async def _resolve_once(db: Database, scope: str, identifiers: list[Identifier],
                        chat_ids: list[str], source: LinkSource, now: datetime,
                        changed: list[Identifier]) -> Resolution:
    wanted = list(dict.fromkeys([*identifiers, *changed]))
    keys = [identity_key(scope, i) for i in wanted]
    with db_errors("reading identity links"):
        owners = {d["_id"]: str(d["customer_id"]) async for d in
                  db.identities.find({"_id": {"$in": keys}}, {"customer_id": 1})}
    customers = await _live(db, set(owners.values()))
    if not customers:
        customers = [await _create(db, scope, wanted, chat_ids, now)]
    keep = survivor(customers)
    absorbed = [c for c in customers if c.id != keep.id]
    for other in absorbed:
        await _absorb(db, other, keep, source, now)
    new = [i for i, k in zip(wanted, keys, strict=True) if k not in owners]
    await _link(db, scope, new, keep.id, identifiers, source, now)
    updated = _updated(keep, chat_ids, absorbed, changed, identifiers)
    if updated is not keep:
        await _replace(db, keep, updated)
    return Resolution(customer=updated, linked=new, merged=[c.id for c in absorbed])


async def get(db: Database, customer_id: str) -> Customer | None:
    with db_errors("reading a customer"):
        doc = await db.customers.find_one({"_id": customer_id})
    return read_as(Customer, doc) if doc else None


async def links_of(db: Database, customer_ids: list[str]) -> list[IdentityLink]:
    """The identifiers linked to these customers, with what linked each (oldest first)."""
    with db_errors("reading identity links"):
        docs = [d async for d in db.identities.find({"customer_id": {"$in": customer_ids}})]
    links = [read_as(IdentityLink, d, drop=("_id", "scope")) for d in docs]
    return sorted(links, key=lambda link: (link.linked_at or _EPOCH, link.kind, link.value))


async def record_of(db: Database, customer_id: str) -> CustomerRecord | None:
    """The customer (or the one that absorbed it), its links and those of every customer it
    absorbed, and the merges; None when there is no such customer."""
    seen: dict[str, dict[str, Any]] = {}
    pending = [customer_id]
    for _ in range(_MERGE_HOPS * 4):
        if not pending:
            break
        with db_errors("reading a customer"):
            docs = [d async for d in db.customers.find({"_id": {"$in": pending}})]
        seen |= {str(d["_id"]): d for d in docs}
        pending = sorted({str(i) for d in docs for i in [d.get("merged_into"),
                                                          *(d.get("merged_from") or [])]
                          if i and str(i) not in seen})
    live = [read_as(Customer, d) for d in seen.values() if not d.get("merged_into")]
    if not live:
        return None
    merges = [read_as(Merge, {"customer_id": key, "into": d["merged_into"],
                              "at": d.get("merged_at"), "event_id": d.get("merge_event_id") or "",
                              "gateway_message_id": d.get("merge_gateway_message_id") or ""})
              for key, d in seen.items() if d.get("merged_into")]
    merges.sort(key=lambda m: (m.at or _EPOCH, m.customer_id))
    return CustomerRecord(customer=survivor(live), links=await links_of(db, sorted(seen)),
                          merges=merges)


async def customer_id_of(db: Database, scope: str, identifiers: list[Identifier]
                         ) -> str | None:
    """The customer the first known of these identifiers was linked to (None: none is)."""
    keys = [identity_key(scope, i) for i in identifiers]
    with db_errors("reading identity links"):
        docs = {d["_id"]: str(d["customer_id"]) async for d in
                db.identities.find({"_id": {"$in": keys}}, {"customer_id": 1})}
    return next((docs[k] for k in keys if k in docs), None)


async def _live(db: Database, ids: set[str]) -> list[Customer]:
    """The customers behind ``ids``, each replaced by the one that absorbed it."""
    found: dict[str, Customer] = {}
    pending = set(ids)
    for _ in range(_MERGE_HOPS):
        if not pending:
            break
        with db_errors("reading customers"):
            docs = [d async for d in db.customers.find({"_id": {"$in": sorted(pending)}})]
        if len(docs) < len(pending):
            raise _Raced()  # an identity written before its customer: being created now
        pending = set()
        for doc in docs:
            customer = read_as(Customer, doc)
            if customer.merged_into:
                pending.add(customer.merged_into)
            else:
                found[customer.id] = customer
        pending -= set(found)
    return list(found.values())


async def _create(db: Database, scope: str, named: list[Identifier], chat_ids: list[str],
                  now: datetime) -> Customer:
    current = {i.kind: i.value for i in named}
    customer = Customer(id=customer_id_for(scope, named[0]), scope=scope, created_at=now,
                        chat_ids=chat_ids, phone=current.get("phone"),
                        user_id=current.get("bsuid"), username=current.get("username"))
    with db_errors("creating a customer"):
        try:
            await db.customers.insert_one(to_doc(customer))
        except DuplicateKeyError:
            existing = await get(db, customer.id)
            if existing is None or existing.merged_into:
                raise _Raced() from None
            return existing
    return customer


async def _link(db: Database, scope: str, new: list[Identifier], customer_id: str,
                seen: list[Identifier], source: LinkSource, now: datetime) -> None:
    if not new:
        return
    docs = [{"_id": identity_key(scope, i), "customer_id": customer_id, "scope": scope,
             "kind": i.kind, "value": i.value, "linked_at": now, "event_id": source.event_id,
             "gateway_message_id": source.gateway_message_id,
             "reason": _reason(i, seen, source)} for i in new]
    with db_errors("linking identifiers"):
        try:
            await db.identities.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise RetryableError(f"linking identifiers failed: {exc}",
                                     code="DB_UNAVAILABLE") from exc
            raise _Raced() from exc


def _reason(identifier: Identifier, seen: list[Identifier], source: LinkSource) -> str:
    if identifier not in seen:
        return source.reason or "changed"
    others = [i.key for i in seen if i != identifier]
    return f"in one message with {', '.join(others)}" if others else "first message"


async def _absorb(db: Database, other: Customer, keep: Customer, source: LinkSource,
                  now: datetime) -> None:
    """Record that ``other`` is ``keep``: its identifiers now find ``keep``."""
    merged = msgspec.structs.replace(other, merged_into=keep.id, version=other.version + 1)
    extra = {"merged_at": now, "merge_event_id": source.event_id,
             "merge_gateway_message_id": source.gateway_message_id}
    with db_errors("merging customers"):
        result = await db.customers.replace_one({"_id": other.id, "version": other.version},
                                                to_doc(merged, **extra))
    if not result.matched_count:
        raise _Raced()


def _updated(keep: Customer, chat_ids: list[str], absorbed: list[Customer],
             changed: list[Identifier], seen: list[Identifier]) -> Customer:
    """``keep`` with the chat ids and current identifiers this message showed (itself when
    nothing changed)."""
    all_chat_ids = list(dict.fromkeys([*keep.chat_ids, *chat_ids,
                                       *(i for c in absorbed for i in c.chat_ids)]))
    current = {i.kind: i.value for i in [*seen, *changed]}
    fields = {"chat_ids": all_chat_ids,
              "phone": current.get("phone", keep.phone),
              "user_id": current.get("bsuid", keep.user_id),
              "username": current.get("username", keep.username),
              "merged_from": [*keep.merged_from, *(c.id for c in absorbed)]}
    if all(getattr(keep, k) == v for k, v in fields.items()):
        return keep
    return msgspec.structs.replace(keep, version=keep.version + 1, **fields)


async def _replace(db: Database, old: Customer, new: Customer) -> None:
    with db_errors("updating a customer"):
        result = await db.customers.replace_one({"_id": old.id, "version": old.version},
                                                to_doc(new))
    if not result.matched_count:
        raise _Raced()


class MongoIdentities:
    """The identity store on MongoDB, bound to one database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, conversation_id: str, scope: str, identifiers: list[Identifier]
                     ) -> CustomerRecord | None:
        """The customer of a task: its conversation's, else the one its identifiers name."""
        with db_errors("reading a conversation"):
            conv = await self._db.conversations.find_one({"_id": conversation_id},
                                                         {"customer_id": 1})
        found = (conv or {}).get("customer_id") or await customer_id_of(
            self._db, scope, identifiers)
        return await record_of(self._db, str(found)) if found else None

    async def resolve(self, scope: str, identifiers: list[Identifier], chat_ids: list[str],
                      source: LinkSource, now: datetime,
                      changed: list[Identifier] | None = None) -> Resolution:
        return await resolve(self._db, scope, identifiers, chat_ids, source, now, changed)
