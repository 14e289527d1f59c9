"""Who a customer is: the identifiers a gateway names them by, linked into one customer.

A customer may be known by a phone (E.164), Meta's business-scoped user id (BSUID), its parent
BSUID and a username. Any one of them finds the same customer; a message carrying two links them
(recorded with the message that did it). Identifiers are scoped to a gateway, because a BSUID
means nothing to another gateway (phones are normalised the same way everywhere).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

import msgspec

from shared import events
from shared.domain.phones import digits, e164

IdentifierKind = Literal["phone", "bsuid", "parent_bsuid", "username"]
# BSUIDs look like `US.13491208655302741918`: a country code, a dot, an opaque id.
_BSUID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9_-]+$")


def is_bsuid(value: str) -> bool:
    """Whether a chat id or address is a business-scoped user id rather than a phone."""
    return bool(_BSUID.match(value))


class Identifier(msgspec.Struct, frozen=True, kw_only=True):
    kind: IdentifierKind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


class Customer(msgspec.Struct, kw_only=True):
    """One person across identifiers; ``chat_ids`` are the chat ids their conversations were
    keyed by (any of them finds an open conversation); ``merged_into`` names the customer
    that absorbed this one."""

    id: str
    scope: str
    created_at: datetime
    chat_ids: list[str] = []
    phone: str | None = None
    user_id: str | None = None
    username: str | None = None
    version: int = 1
    merged_into: str | None = None
    merged_from: list[str] = []


class IdentityLink(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One identifier linked to a customer, with the message that linked it and why
    ("first message", "in one message with bsuid:…", "user_changed_number")."""

    kind: str
    value: str
    customer_id: str  # the customer it was linked to (one the survivor may have absorbed)
    linked_at: datetime | None = None
    reason: str = ""
    event_id: str = ""
    gateway_message_id: str = ""


class Merge(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A customer found to be another (``into``), with the message that showed it."""

    customer_id: str
    into: str
    at: datetime | None = None
    event_id: str = ""
    gateway_message_id: str = ""


class CustomerRecord(msgspec.Struct, kw_only=True):
    """A customer as people may check it: who, every identifier linked (also to the customers
    it absorbed), oldest first, and the merges."""

    customer: Customer
    links: list[IdentityLink] = []
    merges: list[Merge] = []


class LinkSource(msgspec.Struct, frozen=True, kw_only=True):
    """The message that showed identifiers belong together."""

    event_id: str
    gateway_message_id: str
    reason: str = ""  # for identifiers given as changed: "user_changed_number", ...


class Resolution(msgspec.Struct, kw_only=True):
    """The customer a message belongs to, what it newly linked and whom it merged."""

    customer: Customer
    linked: list[Identifier] = []
    merged: list[str] = []


def identifiers_of(event: events.MessageReceived) -> list[Identifier]:
    """The customer's identifiers a message carries (a group's participants are not
    customers of their own: a group chat is named by its chat id alone)."""
    if event.chat.chat_type != "whatsapp":
        return []
    found: list[Identifier] = []
    if event.user_id:
        found.append(Identifier(kind="bsuid", value=event.user_id))
    phone = _phone(event.contact_phone) or (
        _phone(event.chat.chat_id) if not is_bsuid(event.chat.chat_id) else None)
    if phone:
        found.append(Identifier(kind="phone", value=phone))
    if event.parent_user_id:
        found.append(Identifier(kind="parent_bsuid", value=event.parent_user_id))
    if event.username:
        found.append(Identifier(kind="username", value=event.username.lstrip("@").lower()))
    if not found and is_bsuid(event.chat.chat_id):
        found.append(Identifier(kind="bsuid", value=event.chat.chat_id))
    return found


def task_identifiers(chat_id: str, phone: str | None, user_id: str | None,
                     username: str | None) -> list[Identifier]:
    """The identifiers a task names its customer by (its chat id, phone, BSUID, username)."""
    found: list[Identifier] = []
    bsuid = user_id or (chat_id if is_bsuid(chat_id) else None)
    if bsuid:
        found.append(Identifier(kind="bsuid", value=bsuid))
    e164_phone = _phone(phone) or _phone(chat_id)
    if e164_phone:
        found.append(Identifier(kind="phone", value=e164_phone))
    if username:
        found.append(Identifier(kind="username", value=username.lstrip("@").lower()))
    return found


def changed_identifiers(event: events.MessageReceived) -> list[Identifier]:
    """The new identifiers a ``user_changed_number``/``user_changed_user_id`` notice gives."""
    found: list[Identifier] = []
    phone = _phone(event.new_phone)
    if phone:
        found.append(Identifier(kind="phone", value=phone))
    if event.new_user_id:
        found.append(Identifier(kind="bsuid", value=event.new_user_id))
    return found


def has_sender(event: events.MessageReceived) -> bool:
    """Whether the message names a chat we can place it in and answer."""
    return bool(event.chat.chat_id.strip())


def chat_ids_of(event: events.MessageReceived) -> list[str]:
    """Every chat id this message's customer could have been keyed by (the message's own, the
    phone as the gateway writes it, the BSUID)."""
    ids = [event.chat.chat_id]
    if event.chat.chat_type == "whatsapp":
        ids += [i for i in (event.contact_phone, event.user_id) if i]
        if event.contact_phone:  # as the directory writes it (a dialogue we started)
            ids.append(digits(event.contact_phone))
    return list(dict.fromkeys(i for i in ids if i))


def address_after_change(chat: events.ChatRef, event: events.MessageReceived) -> str | None:
    """Where sends to ``chat`` go after the customer changed number or BSUID (None: as
    before). A chat keyed by a phone follows the new phone; one keyed by a BSUID, the new BSUID."""
    keyed_by_bsuid = is_bsuid(chat.chat_id)
    if event.system_kind == "user_changed_number" and event.new_phone and not keyed_by_bsuid:
        return event.new_phone
    if event.system_kind == "user_changed_user_id" and event.new_user_id and keyed_by_bsuid:
        return event.new_user_id
    return None


def survivor(customers: list[Customer]) -> Customer:
    """Of customers found to be one person, the one that keeps the others: the oldest."""
    return min(customers, key=lambda c: (c.created_at, c.id))


def customer_id_for(scope: str, first: Identifier) -> str:
    """Deterministic, so that two consumers meeting a new identifier create one customer."""
    return events.derive_id("customer", scope, first.key)


def _phone(raw: str | None) -> str | None:
    if not raw or is_bsuid(raw):
        return None
    return e164(raw.split("@", 1)[0])


class ConversationIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """What the identity lookup tells the bot's decision: the customer, every identifier key
    now known for the conversation, and the customer's current phone (for the task)."""

    customer_id: str
    identifiers: list[str]
    phone: str | None = None
