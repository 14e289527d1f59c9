"""In-memory fakes of bot-router's ports (``services/bot_router/ports.py``).

``FakeConversations`` mirrors ``shared/store/conversations.py`` rule for rule: one decision per
event id, at most one open conversation per chat, and ``apply``'s version compare-and-set with
its replay rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec
from pymongo.errors import DuplicateKeyError

from services.bot_router.building import BotPolicy
from services.bot_router.flow_cache import FlowCache
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.flows import FlowSet, FlowVersion
from shared.domain.identities import (
    Customer,
    Identifier,
    LinkSource,
    Resolution,
    customer_id_for,
    survivor,
)
from shared.domain.scenarios import Scenario, ScenarioSet


class _Row(msgspec.Struct, kw_only=True):
    """A stored conversation with the fields only the store keeps."""

    conversation: Conversation
    last_event_id: str | None = None


class FakeConversations:
    """A ``ConversationStore`` in dictionaries."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.decisions: dict[str, bytes] = {}  # encoded, as the store keeps them

    def add(self, conv: Conversation) -> None:
        """Store ``conv`` as if an earlier decision had written it."""
        self.rows[conv.id] = _Row(conversation=msgspec.structs.replace(conv))

    def stored(self, conversation_id: str) -> Conversation | None:
        row = self.rows.get(conversation_id)
        return msgspec.structs.replace(row.conversation) if row else None

    async def find_open(self, chat_key: str) -> Conversation | None:
        for row in self.rows.values():
            if row.conversation.is_open and row.conversation.chat.key == chat_key:
                return msgspec.structs.replace(row.conversation)
        return None

    async def get(self, conversation_id: str) -> Conversation | None:
        return self.stored(conversation_id)

    async def find_open_any(self, chat_keys: list[str]) -> list[Conversation]:
        found = [msgspec.structs.replace(r.conversation) for r in self.rows.values()
                 if r.conversation.is_open and r.conversation.chat.key in chat_keys]
        return sorted(found, key=lambda c: (c.opened_at, c.id))

    async def retire(self, conv: Conversation, merged_into: str) -> bool:
        current = self.rows.get(conv.id)
        if current is None or current.conversation.version != conv.version:
            return False
        self.rows[conv.id] = _Row(conversation=msgspec.structs.replace(
            conv, merged_into=merged_into, version=conv.version + 1))
        return True

    async def find_decision(self, event_id: str) -> Decision | None:
        body = self.decisions.get(event_id)
        return msgspec.msgpack.decode(body, type=Decision) if body is not None else None

    async def record_decision(self, decision: Decision, now: datetime) -> bool:
        if decision.event_id in self.decisions:
            return False
        self.decisions[decision.event_id] = msgspec.msgpack.encode(decision)
        return True

    async def discard_decision(self, event_id: str) -> None:
        self.decisions.pop(event_id, None)

    async def apply(self, decision: Decision, *, replay: bool = False) -> bool:
        conv = decision.conversation
        if conv is None:
            return True
        if decision.previous_version is None:
            if conv.id in self.rows or self._open_elsewhere(conv):
                # the store's duplicate-key path: fine only if this very conversation exists
                return conv.id in self.rows
            self._write(conv, decision.event_id)
            return True
        current = self.rows.get(conv.id)
        if current is not None and current.conversation.version == decision.previous_version:
            if self._open_elsewhere(conv):
                raise DuplicateKeyError("open_chat_key")  # what the unique index does
            self._write(conv, decision.event_id)
            return True
        if current is None:
            return False
        if current.last_event_id == decision.event_id:
            return True
        return replay and current.conversation.version > decision.previous_version

    def _open_elsewhere(self, conv: Conversation) -> bool:
        return conv.is_open and any(
            row.conversation.is_open and row.conversation.chat.key == conv.chat.key
            for cid, row in self.rows.items() if cid != conv.id)

    def _write(self, conv: Conversation, event_id: str) -> None:
        self.rows[conv.id] = _Row(conversation=msgspec.structs.replace(conv),
                                  last_event_id=event_id)


class FakeIdentities:
    """An ``IdentityStore`` in dictionaries, with the store's rules: one customer per
    identifier, links recorded with their reason, the oldest customer absorbs the others."""

    def __init__(self) -> None:
        self.links: dict[str, tuple[str, str]] = {}  # scope|key -> (customer id, reason)
        self.customers: dict[str, Customer] = {}
        self.clock = 0

    async def resolve(self, scope: str, identifiers: list[Identifier], chat_ids: list[str],
                      source: LinkSource, now: datetime,
                      changed: list[Identifier] | None = None) -> Resolution:
        wanted = list(dict.fromkeys([*identifiers, *(changed or [])]))
        keys = [f"{scope}|{i.key}" for i in wanted]
        live = {self._live(self.links[k][0]).id: self._live(self.links[k][0])
                for k in keys if k in self.links}
        if not live:
            self.clock += 1  # creation order, as created_at orders them in the store
            created = Customer(id=customer_id_for(scope, wanted[0]), scope=scope,
                               created_at=now.replace(microsecond=self.clock % 1_000_000))
            self.customers[created.id] = created
            live = {created.id: created}
        keep = survivor(list(live.values()))
        merged = [c for c in live.values() if c.id != keep.id]
        for other in merged:
            other.merged_into = keep.id
        new = [i for i, k in zip(wanted, keys, strict=True) if k not in self.links]
        for identifier, key in zip(wanted, keys, strict=True):
            if key not in self.links:
                self.links[key] = (keep.id, source.reason if identifier not in identifiers
                                   else "linked")
        current = {i.kind: i.value for i in [*identifiers, *(changed or [])]}
        keep.chat_ids = list(dict.fromkeys([*keep.chat_ids, *chat_ids,
                                            *(c for m in merged for c in m.chat_ids)]))
        keep.phone = current.get("phone", keep.phone)
        keep.user_id = current.get("bsuid", keep.user_id)
        keep.merged_from = [*keep.merged_from, *(m.id for m in merged)]
        return Resolution(customer=msgspec.structs.replace(keep), linked=new,
                          merged=[m.id for m in merged])

    def customer_of(self, scope: str, identifier: Identifier) -> Customer | None:
        link = self.links.get(f"{scope}|{identifier.key}")
        return self._live(link[0]) if link else None

    def _live(self, customer_id: str) -> Customer:
        customer = self.customers[customer_id]
        while customer.merged_into:
            customer = self.customers[customer.merged_into]
        return customer


class FakeScenarios:
    """A ``ScenarioSource`` whose set a test replaces at will."""

    def __init__(self, items: list[Scenario] | None = None) -> None:
        self.current = ScenarioSet(version=1, items=items or [])

    def replace(self, items: list[Scenario]) -> None:
        self.current = ScenarioSet(version=self.current.version + 1, items=items)

    async def get(self) -> ScenarioSet:
        return self.current


class FakeFlows:
    """The flow store's published versions (``live``), a test publishes at will."""

    def __init__(self) -> None:
        self.live: dict[str, FlowVersion] = {}
        self.reads = 0

    def publish(self, key: str, flow: FlowSet) -> FlowVersion:
        version = FlowVersion(key=key, version=(self.live[key].version + 1 if key in self.live
                                                else 1), flow=flow, published_at="2025-06-01")
        self.live[key] = version
        return version

    async def get_live(self, key: str) -> FlowVersion | None:
        self.reads += 1
        return self.live.get(key)


def flow_cache(scenarios: FakeScenarios, policy: BotPolicy, flows: FakeFlows | None = None,
               ttl_s: float = 30.0) -> FlowCache:
    """bot-router's flow cache over fakes, as the composition root wires it."""
    return FlowCache((flows or FakeFlows()).get_live, scenarios.get, greeting=policy.greeting,
                     handover_text=policy.handover_text, ttl_s=ttl_s)


class FakePublisher:
    """A ``Publisher`` that keeps what was published, in order, and each batch as published."""

    def __init__(self) -> None:
        self.published: list[events.Message] = []
        self.batches: list[list[events.Message]] = []

    async def publish(self, message: events.Message) -> None:
        self.published.append(message)
        self.batches.append([message])

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        self.published.extend(messages)
        if messages:
            self.batches.append(list(messages))
