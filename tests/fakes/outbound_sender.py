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
from shared.domain.sends import (
    AWAIT_TEXT_S,
    REPORT_AGAIN_S,
    WAKE_AGAIN_S,
    Claim,
    Retry,
    SendRecord,
    epoch_ms,
)
from shared.errors import WabridgeError
from shared.providers.base import HttpRequest
from shared.worker import RetryPolicy


class FakeSendLedger:
    """``SendLedger`` in memory, with the Mongo store's queue and lease semantics."""

    def __init__(self) -> None:
        self.records: dict[str, SendRecord] = {}
        self.due_ms: dict[str, int] = {}  # the stored-only wake time
        self.counters: dict[str, int] = {}
        self.reads = 0  # get/first calls: the store's round trips for reading sends

    def _next(self, chat_key: str) -> int:
        self.counters[chat_key] = self.counters.get(chat_key, 0) + 1
        return self.counters[chat_key]

    def _queued(self, cmd: events.SendMessage, now: datetime) -> SendRecord:
        awaits = epoch_ms(now) + AWAIT_TEXT_S * 1000 if cmd.awaits_text else 0
        self.due_ms[cmd.id] = awaits or epoch_ms(now) + WAKE_AGAIN_S * 1000
        return SendRecord(id=cmd.id, state="queued", task_id=cmd.task_id,
                          comment_id=cmd.comment_id, created_at=now, chat_key=cmd.chat.key,
                          channel_id=cmd.chat.channel_id, seq=self._next(cmd.chat.key),
                          part=cmd.part, command=events.encode(cmd),
                          awaits_text_until_ms=awaits)

    async def fill(self, cmd: events.SendMessage) -> bool:
        record = self.records.get(cmd.id)
        if record is None or not record.open or not record.awaits_text_until_ms:
            return False
        self.records[cmd.id] = msgspec.structs.replace(
            record, command=events.encode(cmd), awaits_text_until_ms=0)
        return True

    async def step_aside(self, send_id: str) -> bool:
        record = self.records.get(send_id)
        if record is None or not record.open or not record.awaits_text_until_ms:
            return False
        self.records[send_id] = msgspec.structs.replace(
            record, state="failed", lease_until=0, lease_owner=None,
            failure_code="NO_TEXT_IN_TIME", failure="its text did not come in time")
        self.due_ms.pop(send_id, None)
        return True

    async def enqueue(self, commands: Sequence[events.SendMessage], now: datetime
                      ) -> dict[str, int]:
        new = {}
        for cmd in commands:
            if cmd.id in self.records:
                self._next(cmd.chat.key)  # the store takes numbers before it inserts
                continue
            self.records[cmd.id] = self._queued(cmd, now)
            new[cmd.id] = self.records[cmd.id].seq
        return new

    async def requeue(self, cmd: events.SendMessage, now: datetime) -> bool:
        record = self.records.get(cmd.id)
        if record is None or record.state != "failed":
            return False
        self.records[cmd.id] = msgspec.structs.replace(
            self._queued(cmd, now), created_at=record.created_at, replays=record.replays + 1,
            interrupted=record.interrupted)
        return True

    async def get(self, send_id: str) -> SendRecord | None:
        self.reads += 1
        return self.records.get(send_id)

    async def of_comment(self, comment_id: str) -> list[SendRecord]:
        return [r for r in self.records.values() if r.comment_id == comment_id]

    async def head(self, chat_key: str) -> SendRecord | None:
        found = await self.first(chat_key, 1)
        return found[0] if found else None

    async def first(self, chat_key: str, n: int) -> list[SendRecord]:
        self.reads += 1
        open_ = [r for r in self.records.values() if r.open and r.chat_key == chat_key]
        return sorted(open_, key=lambda r: r.seq)[:n]

    async def claim(self, record: SendRecord, taken: Claim, now_ms: int) -> bool:
        stored = self.records.get(record.id)
        if stored is None or not stored.open or (stored.lease_until, stored.retry_at_ms) != (
                record.lease_until, record.retry_at_ms):
            return False
        self.records[record.id] = msgspec.structs.replace(
            stored, lease_owner=taken.owner, lease_until=taken.until_ms, claimed_ms=now_ms,
            ambiguous_since_ms=taken.ambiguous_since_ms if taken.ambiguous_since_ms is not None
            else stored.ambiguous_since_ms,
            interrupted=stored.interrupted + (1 if taken.interrupted else 0))
        self.due_ms[record.id] = taken.until_ms
        return True

    async def claim_next(self, cmd: events.SendMessage, taken: Claim, now_ms: int
                         ) -> SendRecord | None:
        stored = self.records.get(cmd.id)
        if stored is None or not stored.open or stored.seq != cmd.seq or stored.lease_until \
                or stored.retry_at_ms or stored.awaits_text_until_ms:
            return None
        self.records[cmd.id] = msgspec.structs.replace(
            stored, lease_owner=taken.owner, lease_until=taken.until_ms, claimed_ms=now_ms)
        self.due_ms[cmd.id] = taken.until_ms
        return self.records[cmd.id]

    async def renew(self, send_id: str, owner: str, until_ms: int) -> bool:
        stored = self.records.get(send_id)
        if stored is None or not stored.open or stored.lease_owner != owner:
            return False
        self.records[send_id] = msgspec.structs.replace(stored, lease_until=until_ms)
        self.due_ms[send_id] = until_ms
        return True

    async def retry_later(self, send_id: str, owner: str, retry: Retry, code: str,
                          error: str) -> None:
        stored = self.records.get(send_id)
        if stored is None or stored.lease_owner != owner:
            return
        self.records[send_id] = msgspec.structs.replace(
            stored, lease_owner=None, lease_until=0, retry_at_ms=retry.at_ms,
            attempts=retry.attempts, last_code=code, last_error=error,
            ambiguous_since_ms=retry.ambiguous_since_ms if retry.ambiguous_since_ms is not None
            else stored.ambiguous_since_ms)
        self.due_ms[send_id] = retry.at_ms

    def _settle(self, send_id: str, now: datetime, **fields: Any) -> None:
        stored = self.records[send_id]
        self.records[send_id] = msgspec.structs.replace(stored, lease_owner=None,
                                                        lease_until=0, unreported=1, **fields)
        self.due_ms[send_id] = epoch_ms(now) + REPORT_AGAIN_S * 1000

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None:
        if send_id in self.records:
            kept = self.records[send_id].gateway_message_id
            self._settle(send_id, now, state="sent", sent_at=now,
                         gateway_message_id=gateway_message_id or kept)

    async def mark_failed(self, send_id: str, code: str, reason: str, now: datetime) -> bool:
        stored = self.records.get(send_id)
        if stored is None or not stored.open:
            return False
        self._settle(send_id, now, state="failed", failure=reason, failure_code=code)
        return True

    async def mark_reported(self, send_ids: Sequence[str]) -> None:
        for send_id in send_ids:
            stored = self.records.get(send_id)
            if stored is not None and not stored.open:
                self.records[send_id] = msgspec.structs.replace(stored, unreported=None)
                self.due_ms.pop(send_id, None)

    async def hold(self, chat_key: str, until_ms: int) -> None:
        for record in self.records.values():
            if record.open and record.chat_key == chat_key \
                    and self.due_ms.get(record.id, until_ms) < until_ms:
                self.due_ms[record.id] = until_ms

    async def due(self, now_ms: int, limit: int = 200) -> list[SendRecord]:
        due = sorted((at, i) for i, at in self.due_ms.items() if at <= now_ms)
        return [self.records[i] for _, i in due[:limit]]

    async def postpone(self, send_ids: Sequence[str], now_ms: int, until_ms: int) -> int:
        moved = 0
        for send_id in send_ids:
            if self.due_ms.get(send_id, now_ms + 1) <= now_ms:
                self.due_ms[send_id] = until_ms
                moved += 1
        return moved

    async def wake_channel(self, channel_id: str, now_ms: int) -> int:
        woken = 0
        for record in list(self.records.values()):
            if record.open and record.channel_id == channel_id \
                    and record.last_code == "CHANNEL_NOT_ACTIVE":
                self.records[record.id] = msgspec.structs.replace(record, retry_at_ms=0)
                self.due_ms[record.id] = now_ms
                woken += 1
        return woken


class FakeDeadLetters:
    """``DeadLetters`` that keeps what was put, as (send id, code, attempts)."""

    def __init__(self) -> None:
        self.put_aside: list[tuple[str, str, int]] = []

    async def put(self, cmd: events.SendMessage, code: str, reason: str, attempts: int) -> None:
        self.put_aside.append((cmd.id, code, attempts))


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
        self.fail_next: Exception | None = None  # raised by the next publish, once

    def _take_failure(self) -> None:
        failure, self.fail_next = self.fail_next, None
        if failure is not None:
            raise failure

    async def publish(self, message: events.Message) -> None:
        self._take_failure()
        self.published.append(message)

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        self._take_failure()
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
    dead_letters: FakeDeadLetters = field(default_factory=FakeDeadLetters)
    instance_id: str = "this-consumer"
    deps: Deps = field(init=False)

    def __post_init__(self) -> None:
        settings = OutboundSenderSettings(mongodb_url="mongodb://unused",
                                          wabridge_url_signing_key="k" * 16)
        self.deps = Deps(sends=self.sends, files=self.files, bus=self.bus, gateway=self.gateway,
                         channels=[WAZZUP], settings=settings,
                         channel_states=ChannelStates(self.channel_lookup), media_hosts=frozenset(),
                         dead_letters=self.dead_letters,
                         retry=RetryPolicy(base_seconds=1.0, max_attempts=5),
                         instance_id=self.instance_id)


@contextlib.contextmanager
def replaying() -> Iterator[None]:
    """Handle messages as the worker does for one an operator replayed from its dead letters."""
    token = worker._delivery_headers.set({"x-replayed": True})
    try:
        yield
    finally:
        worker._delivery_headers.reset(token)
