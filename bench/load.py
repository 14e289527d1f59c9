"""Open-loop load over loopback and matching of the sandbox's recorded sends to what was posted.

Each chat has at most one message in flight, so an answer recorded by the sandbox for a chat
belongs to the message waiting in that chat; latency = the sandbox's record time minus the time
just before the POST (both wall clock on this machine; the record time has 1 ms resolution).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec

CHANNEL = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"
WAZZUP_HEADERS = {"Content-Type": "application/json; charset-utf-8"}


def webhook_body(chat_id: str, text: str, message_id: str | None = None) -> bytes:
    """A Wazzup ``messages`` webhook with one inbound text message (as the sandbox builds it)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return msgspec.json.encode({"messages": [{
        "messageId": message_id or str(uuid.uuid4()), "dateTime": now, "channelId": CHANNEL,
        "chatType": "whatsapp", "chatId": chat_id, "type": "text", "isEcho": False,
        "status": "inbound", "text": text,
        "contact": {"name": chat_id, "avatarUri": "https://store.wazzup24.com/avatars/0.jpg"},
    }]})


def new_chats(prefix: str, n: int) -> list[str]:
    base = uuid.uuid4().int % 10**6
    return [f"7{prefix}{(base + i) % 10**6:06d}{i:04d}" for i in range(n)]


class ChatPool:
    """Chats free to take a message; a chat whose answer never came is retired."""

    def __init__(self, chats: list[str]) -> None:
        self.free: deque[str] = deque(chats)
        self.size = len(chats)

    def take(self) -> str | None:
        return self.free.popleft() if self.free else None

    def give_back(self, chat: str) -> None:
        self.free.append(chat)


@dataclass
class AnswerWatcher:
    """Polls ``/sandbox/requests`` and pairs each accepted send with its chat's waiting message."""

    http: aiohttp.ClientSession
    sandbox: str
    pool: ChatPool | None = None
    pending: dict[str, float] = field(default_factory=dict)
    answered: list[tuple[float, float]] = field(default_factory=list)  # (sent_at, latency_s)
    unmatched: int = 0
    refused: int = 0
    after: int = 0

    def expect(self, chat: str) -> None:
        self.pending[chat] = time.time()

    def forget(self, chat: str) -> None:
        self.pending.pop(chat, None)

    async def poll(self) -> None:
        params = {"path": "/v3/message", "after": str(self.after)}
        async with self.http.get(f"{self.sandbox}/sandbox/requests", params=params) as resp:
            records: list[dict[str, Any]] = await resp.json()
        for r in records:
            self.after = max(self.after, int(r["seq"]))
            if not r["delivered"]:
                self.refused += 1
                continue
            chat = str((r.get("json") or {}).get("chatId"))
            sent = self.pending.pop(chat, None)
            if sent is None:
                self.unmatched += 1
                continue
            at = datetime.fromisoformat(r["at"].replace("Z", "+00:00")).timestamp()
            self.answered.append((sent, max(at - sent, 0.0)))
            if self.pool is not None:
                self.pool.give_back(chat)

    async def run(self, interval_s: float = 0.05) -> None:
        while True:
            try:
                await self.poll()
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(interval_s)

    async def drain(self, timeout_s: float) -> list[str]:
        """Wait until nothing is pending; returns (and stops waiting for) the chats still open."""
        give_up = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < give_up:  # noqa: ASYNC110 (polled state)
            await asyncio.sleep(0.05)
        lost = list(self.pending)
        self.pending.clear()
        return lost


@dataclass
class OfferResult:
    offered_per_s: float
    seconds: float
    started_at: float  # wall clock
    sent: int = 0
    skipped_no_free_chat: int = 0
    post_errors: int = 0

    @property
    def achieved_per_s(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def offer(rate: float, seconds: float, pool: ChatPool, watcher: AnswerWatcher,
                post: Callable[[str], Awaitable[bool]], max_in_flight: int = 512) -> OfferResult:
    """Start one message every 1/rate s for ``seconds`` (open loop: never waits for answers)."""
    loop = asyncio.get_running_loop()
    result = OfferResult(offered_per_s=rate, seconds=seconds, started_at=time.time())
    in_flight: set[asyncio.Task[None]] = set()

    async def one(chat: str) -> None:
        try:
            ok = await post(chat)
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if not ok:
            result.post_errors += 1
            watcher.forget(chat)
            pool.give_back(chat)

    start = loop.time()
    for i in itertools.count():
        due = start + i / rate
        if due >= start + seconds:
            break
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        chat = pool.take() if len(in_flight) < max_in_flight else None
        if chat is None:
            result.skipped_no_free_chat += 1
            continue
        watcher.expect(chat)
        task = asyncio.create_task(one(chat))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        result.sent += 1
    if in_flight:
        await asyncio.gather(*in_flight)
    return result
