"""What the sandbox remembers: recorded requests, injected failures, crmMessageIds, webhook URI.

All of it is in memory and per app instance, so every test gets a fresh gateway.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

# Wazzup refuses a repeated crmMessageId only within this window; later it sends a second copy.
CRM_ID_WINDOW_SECONDS = 60.0
# Long local runs must not grow without bound; tests never come near this.
MAX_RECORDS = 10_000


class Record(msgspec.Struct, kw_only=True):
    """One request the fake Wazzup API answered (never the Authorization value)."""

    seq: int
    at: str
    method: str
    path: str
    json: Any
    response_status: int
    response: Any
    delivered: bool


class FailureSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The next ``count`` sends answer ``status``; ``error: null`` answers with an empty body."""

    count: int
    status: int = 500
    error: str | None = "UNKNOWN_ERROR"
    description: str | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count must not be negative")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status (100-599)")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must not be negative")


class Recorder:
    """Every answered API request, oldest first, numbered by a sequence that survives ``clear``."""

    def __init__(self) -> None:
        self._records: deque[Record] = deque(maxlen=MAX_RECORDS)
        self._seq = 0

    def add(self, *, method: str, path: str, json: Any, status: int, response: Any,
            delivered: bool) -> Record:
        self._seq += 1
        at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = Record(seq=self._seq, at=at, method=method, path=path, json=json,
                        response_status=status, response=response, delivered=delivered)
        self._records.append(record)
        return record

    def select(self, *, path: str | None = None, delivered: bool | None = None,
               chat_id: str | None = None, after: int | None = None) -> list[Record]:
        return [r for r in self._records if _matches(r, path, delivered, chat_id, after)]

    def clear(self) -> None:
        self._records.clear()


def _matches(record: Record, path: str | None, delivered: bool | None, chat_id: str | None,
             after: int | None) -> bool:
    if path is not None and record.path != path:
        return False
    if delivered is not None and record.delivered != delivered:
        return False
    if after is not None and record.seq <= after:
        return False
    if chat_id is not None:
        body = record.json
        return isinstance(body, dict) and body.get("chatId") == chat_id
    return True


class FailureInjector:
    """Hands out the injected failure to the next sends until its count is used up."""

    def __init__(self) -> None:
        self._spec: FailureSpec | None = None

    def arm(self, spec: FailureSpec) -> None:
        self._spec = spec if spec.count > 0 else None

    def take(self) -> FailureSpec | None:
        spec = self._spec
        if spec is None:
            return None
        remaining = spec.count - 1
        self._spec = msgspec.structs.replace(spec, count=remaining) if remaining > 0 else None
        return spec

    def remaining(self) -> FailureSpec:
        return self._spec or FailureSpec(count=0)


class CrmIdLedger:
    """crmMessageIds accepted recently, to refuse repeats the way Wazzup does."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._accepted: dict[str, float] = {}

    def is_repeat(self, crm_message_id: str) -> bool:
        self._forget_old()
        return crm_message_id in self._accepted

    def accept(self, crm_message_id: str) -> None:
        self._accepted[crm_message_id] = self._clock()

    def _forget_old(self) -> None:
        cutoff = self._clock() - CRM_ID_WINDOW_SECONDS
        for key in [k for k, at in self._accepted.items() if at <= cutoff]:
            del self._accepted[key]


@dataclass
class WebhookConfig:
    """What ``PATCH /v3/webhooks`` stored."""

    uri: str | None = None
    subscriptions: dict[str, Any] = field(default_factory=dict)


@dataclass
class SandboxState:
    recorder: Recorder
    failures: FailureInjector
    crm_ids: CrmIdLedger
    webhook: WebhookConfig


def new_state(clock: Callable[[], float]) -> SandboxState:
    return SandboxState(
        recorder=Recorder(),
        failures=FailureInjector(),
        crm_ids=CrmIdLedger(clock),
        webhook=WebhookConfig(),
    )
