"""In-memory fakes of outbound-sender's ports (``services/outbound_sender/ports.py``)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from services.outbound_sender.deps import ChannelStates, Deps
from services.outbound_sender.ports import GatewayResponse
from shared import events, worker
from shared.channels_config import ChannelConfig
from shared.config import OutboundSenderSettings
from shared.domain.sends import Lease, SendRecord, lease_for, leased_elsewhere, may_claim
from shared.errors import WabridgeError
from shared.providers.base import HttpRequest


class FakeSendLedger:
    """``SendLedger`` in memory, with the Mongo store's lease semantics."""

    def __init__(self) -> None:
        self.records: dict[str, SendRecord] = {}
        self.leases: dict[str, Lease] = {}

    async def begin(self, cmd: events.SendMessage, now: datetime, owner: str) -> SendRecord:
        record = self.records.get(cmd.id)
        if record is None:
            record = SendRecord(id=cmd.id, state="sending", task_id=cmd.task_id,
                                comment_id=cmd.comment_id, created_at=now)
            self.records[cmd.id], self.leases[cmd.id] = record, lease_for(owner, now)
            return msgspec.structs.replace(record)
        if record.state != "sending":
            return msgspec.structs.replace(record)
        if not may_claim(record.state, self.leases[cmd.id], owner, now):
            raise leased_elsewhere(cmd.id)
        self.leases[cmd.id] = lease_for(owner, now)
        return msgspec.structs.replace(record)

    async def release(self, send_id: str, owner: str) -> None:
        lease = self.leases.get(send_id)
        if lease is not None and lease.owner == owner:
            self.leases[send_id] = Lease(owner=owner, until_ms=0)

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None:
        record = self.records.get(send_id)
        if record is not None:
            self.records[send_id] = msgspec.structs.replace(
                record, state="sent", sent_at=now,
                gateway_message_id=gateway_message_id or record.gateway_message_id)

    async def mark_failed(self, send_id: str, reason: str) -> None:
        record = self.records.get(send_id)
        if record is not None and record.state == "sending":
            self.records[send_id] = msgspec.structs.replace(record, state="failed",
                                                            failure=reason)

    async def reopen(self, send_id: str) -> None:
        record = self.records.get(send_id)
        if record is not None and record.state == "failed":
            self.records[send_id] = msgspec.structs.replace(record, state="sending",
                                                            failure=None)


@dataclass(frozen=True)
class FakeStoredFile:
    file_name: str
    mime_type: str
    size: int


class FakeFiles:
    """``FileStore`` in memory."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[FakeStoredFile, bytes]] = {}

    async def read(self, file_id: str) -> bytes | None:
        found = self.stored.get(file_id)
        return found[1] if found else None

    async def describe(self, file_id: str) -> FakeStoredFile | None:
        found = self.stored.get(file_id)
        return found[0] if found else None

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> FakeStoredFile:
        if file_id not in self.stored:
            self.stored[file_id] = (FakeStoredFile(file_name, mime_type, len(data)), data)
        return self.stored[file_id][0]


class FakeChannelStates:
    """``ChannelStateLookup`` from a dict; ``lookups`` counts the reads."""

    def __init__(self, states: dict[str, str] | None = None) -> None:
        self.states = dict(states or {})
        self.lookups = 0

    async def state(self, channel_id: str) -> str | None:
        self.lookups += 1
        return self.states.get(channel_id)


@dataclass(frozen=True)
class GatewayCall:
    provider: str
    connection: str
    request: HttpRequest


class FakeGateway:
    """``Gateway`` that records requests and answers with queued responses (then ``default``)."""

    def __init__(self, default: GatewayResponse | None = None) -> None:
        self.calls: list[GatewayCall] = []
        self.answers: list[GatewayResponse | WabridgeError] = []
        self.default = default or answer(200, {"messageId": "gw-1"})

    def will_answer(self, status: int, body: dict[str, Any] | bytes = b"{}",
                    headers: dict[str, str] | None = None) -> None:
        self.answers.append(answer(status, body, headers))

    def will_raise(self, error: WabridgeError) -> None:
        self.answers.append(error)

    async def call(
        self, provider: str, connection: str, req: HttpRequest, *,
        max_bytes: int | None = None, timeout_s: float | None = None,
    ) -> GatewayResponse:
        self.calls.append(GatewayCall(provider, connection, req))
        reply = self.answers.pop(0) if self.answers else self.default
        if isinstance(reply, WabridgeError):
            raise reply
        return reply


def answer(status: int, body: dict[str, Any] | bytes = b"{}",
           headers: dict[str, str] | None = None) -> GatewayResponse:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    return GatewayResponse(status, raw, {"Content-Type": "application/json", **(headers or {})})


class FakePublisher:
    """``Publisher`` that keeps what was published, in order."""

    def __init__(self) -> None:
        self.published: list[events.Message] = []

    async def publish(self, message: events.Message) -> None:
        self.published.append(message)

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        self.published.extend(messages)

    def of_type(self, kind: type[Any]) -> list[Any]:
        return [m for m in self.published if isinstance(m, kind)]


WAZZUP = ChannelConfig(id="wazzup", provider="wazzup", api_url="https://api.wazzup24.com",
                       api_key="wazzup-key", webhook_token="hook-token-1")


@dataclass
class FakeSender:
    """outbound-sender's ``Deps`` over fakes, with the fakes at hand for assertions."""

    sends: FakeSendLedger = field(default_factory=FakeSendLedger)
    files: FakeFiles = field(default_factory=FakeFiles)
    channel_lookup: FakeChannelStates = field(default_factory=FakeChannelStates)
    gateway: FakeGateway = field(default_factory=FakeGateway)
    bus: FakePublisher = field(default_factory=FakePublisher)
    instance_id: str = "this-consumer"
    deps: Deps = field(init=False)

    def __post_init__(self) -> None:
        settings = OutboundSenderSettings(mongodb_url="mongodb://unused",
                                          wabridge_url_signing_key="k" * 16)
        self.deps = Deps(sends=self.sends, files=self.files, bus=self.bus, gateway=self.gateway,
                         channels=[WAZZUP], settings=settings,
                         channel_states=ChannelStates(self.channel_lookup), media_hosts=frozenset(),
                         instance_id=self.instance_id)


@contextlib.contextmanager
def replaying() -> Iterator[None]:
    """Handle messages as the worker does for one an operator replayed from its dead letters."""
    token = worker._delivery_headers.set({"x-replayed": True})
    try:
        yield
    finally:
        worker._delivery_headers.reset(token)
