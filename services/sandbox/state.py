"""What the sandbox remembers: recorded requests, injected failures, crmMessageIds, webhook URI,
and the files it holds (uploads to the fake Meta API and files tests serve to the bridge).

All of it is in memory and per app instance, so every test gets a fresh gateway.
"""

from __future__ import annotations

import hashlib
import secrets
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


class Fetched(msgspec.Struct, kw_only=True):
    """What the gateway got downloading the file a send pointed at (``status`` 0: no answer)."""

    status: int
    sha256: str | None = None
    size: int | None = None


class Record(msgspec.Struct, kw_only=True):
    """One request a fake gateway API answered (never the Authorization value or token)."""

    seq: int
    at: str
    provider: str
    method: str
    path: str
    json: Any
    response_status: int
    response: Any
    delivered: bool
    fetched: Fetched | None = None


class FailureSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The next ``count`` sends of ``provider`` answer ``status``; ``error: null`` answers with an
    empty body. For Meta a numeric ``error`` becomes the Graph error code."""

    count: int
    provider: str = "wazzup"
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

    def add(self, *, provider: str, method: str, path: str, json: Any, status: int,
            response: Any, delivered: bool, fetched: Fetched | None = None) -> Record:
        self._seq += 1
        at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = Record(seq=self._seq, at=at, provider=provider, method=method, path=path,
                        json=json, response_status=status, response=response,
                        delivered=delivered, fetched=fetched)
        self._records.append(record)
        return record

    def select(self, *, path: str | None = None, delivered: bool | None = None,
               chat_id: str | None = None, after: int | None = None,
               provider: str | None = None) -> list[Record]:
        return [r for r in self._records if _matches(r, path, delivered, chat_id, after)
                and (provider is None or r.provider == provider)]

    def all(self) -> list[Record]:
        return list(self._records)

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
        # Wazzup and chat-api name the chat `chatId`; Meta names the recipient `to`.
        return isinstance(body, dict) and chat_id in (
            body.get("chatId"), body.get("to"), body.get("recipient"))
    return True


class FailureInjector:
    """Hands out each provider's injected failure to its next sends until the count is used up."""

    def __init__(self) -> None:
        self._specs: dict[str, FailureSpec] = {}

    def arm(self, spec: FailureSpec) -> None:
        if spec.count > 0:
            self._specs[spec.provider] = spec
        else:
            self._specs.pop(spec.provider, None)

    def take(self, provider: str = "wazzup") -> FailureSpec | None:
        spec = self._specs.pop(provider, None)
        if spec is not None and spec.count > 1:
            self._specs[provider] = msgspec.structs.replace(spec, count=spec.count - 1)
        return spec

    def remaining(self, provider: str = "wazzup") -> FailureSpec:
        return self._specs.get(provider) or FailureSpec(count=0, provider=provider)


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


class StoredFile(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    content: bytes
    mime_type: str
    file_name: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class FileStore:
    """Files by id, numeric like Meta's media ids so one store serves every dialect."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}

    def put(self, content: bytes, mime_type: str, file_name: str) -> StoredFile:
        file_id = str(10**15 + secrets.randbelow(9 * 10**15))
        stored = StoredFile(id=file_id, content=content, mime_type=mime_type, file_name=file_name)
        self._files[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)


@dataclass
class SandboxState:
    recorder: Recorder
    failures: FailureInjector
    crm_ids: CrmIdLedger
    webhook: WebhookConfig
    files: FileStore = field(default_factory=FileStore)
    # Meta's message templates of the sandbox's business account (id → template)
    meta_templates: dict[str, dict[str, Any]] = field(default_factory=dict)


def new_state(clock: Callable[[], float]) -> SandboxState:
    return SandboxState(
        recorder=Recorder(),
        failures=FailureInjector(),
        crm_ids=CrmIdLedger(clock),
        webhook=WebhookConfig(),
    )
