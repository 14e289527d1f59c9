"""When each channel's last webhook was accepted, told to task-sync at most every 30 s.

ingest keeps no database: it remembers the newest accepted webhook per channel in memory and
publishes ``channel.webhook_seen`` on a background job (the first of a channel at once, then at
most once per ``every_s``), so the webhook's own path costs a dict write. Every replica reports
what it saw; task-sync keeps the newest time.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared import events
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
REPORT_EVERY_S = 30.0
TICK_S = 1.0  # how soon a pending report goes out once its channel is due


class Publisher(Protocol):
    async def publish(self, message: events.Message) -> None: ...


def is_due(last_report: float | None, now: float, every_s: float) -> bool:
    """A channel's webhook time is reported if it never was, or ``every_s`` after the last."""
    return last_report is None or now - last_report >= every_s


@dataclass(frozen=True)
class Seen:
    provider: str
    channel_id: str
    at: datetime


@dataclass
class WebhookTimes:
    """The newest accepted webhook per channel, and when each was last reported."""

    every_s: float = REPORT_EVERY_S
    replica: str = field(default_factory=events.new_id)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    _latest: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _reported: dict[tuple[str, str], tuple[float, datetime]] = field(default_factory=dict)

    def seen(self, provider: str, channel_id: str, at: datetime,
             now: float | None = None) -> None:
        """A webhook of ``channel_id`` was accepted at ``at`` (wakes the reporter when due)."""
        key = (provider, channel_id)
        previous = self._latest.get(key)
        if previous is not None and at <= previous:
            return
        self._latest[key] = at
        last = self._reported.get(key)
        if is_due(last[0] if last else None, time.monotonic() if now is None else now,
                  self.every_s):
            self.wake.set()

    def due(self, now: float) -> list[Seen]:
        """What is newer than its last report and may be reported now."""
        out = []
        for key, at in self._latest.items():
            last = self._reported.get(key)
            if (last is None or at > last[1]) and is_due(last[0] if last else None, now,
                                                         self.every_s):
                out.append(Seen(key[0], key[1], at))
        return out

    def reported(self, item: Seen, now: float) -> None:
        self._reported[(item.provider, item.channel_id)] = (now, item.at)


async def report_due(times: WebhookTimes, bus: Publisher, now: float | None = None) -> int:
    """Publish every due channel's time; one that fails stays due for the next tick."""
    now = time.monotonic() if now is None else now
    sent = 0
    for item in times.due(now):
        event = events.ChannelWebhookSeen(
            id=events.derive_id("webhook-seen", times.replica, item.provider, item.channel_id,
                                item.at.isoformat()),
            correlation_id=item.channel_id, occurred_at=events.utcnow(),
            provider=item.provider, channel_id=item.channel_id, at=item.at,
            replica=times.replica)
        try:
            await bus.publish(event)
        except RetryableError as exc:
            log.warning("last webhook time not reported; retried on the next tick",
                        channel_id=item.channel_id, reason=str(exc))
            continue
        times.reported(item, now)
        sent += 1
    return sent


async def run_reporter(times: WebhookTimes, bus: Publisher, stop: asyncio.Event) -> None:
    """ingest's background job: report due channels every tick, or at once when woken."""
    while not stop.is_set():
        times.wake.clear()
        await report_due(times, bus)
        with suppress(TimeoutError):
            async with asyncio.timeout(TICK_S):
                await times.wake.wait()
