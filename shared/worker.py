"""The one consume loop: decode → handler → ack, delayed retry or dead-letter; graceful stop.

Work queues retry a ``RetryableError`` through the delay queues (exponential backoff with
jitter, or the peer's Retry-After). Ordered queues (single active consumer, sharded by chat:
the bot's inbound messages and the sends' wakes) handle one chat's messages one at a time in
delivery order and retry in place (each wait capped at 30 s), holding only that chat's lock,
because a message sent round the delay queue would let the chat's next one overtake it; a
chat's own long waits (a gateway's retries) live in the sends' queue records, not here
(``shared.domain.sends``). Past ``max_attempts``,
and at once for ``PermanentError``/``BadPayload``, the message goes to the dead-letter queue
with the reason in its headers. Every step acks only after its effects are confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from shared import events
from shared.bus import DELAY_TIERS, Bus, QueueSpec, dead_letter_queue_name, delay_queue_name
from shared.delivery_context import _attempt, _delivery_headers
from shared.delivery_context import current_attempt as current_attempt  # re-exported
from shared.delivery_context import is_replay as is_replay  # re-exported
from shared.errors import BadPayload, PermanentError, RetryableError, WabridgeError
from shared.logs import get_logger
from shared.metrics import HANDLER_SECONDS, MESSAGES, child

Handler = Callable[[events.Message], Awaitable[None]]
FailureHook = Callable[[events.Message, WabridgeError, "datetime | None"], Awaitable[None]]
"""Called with the retry time, or None when the message is being dead-lettered."""

log = get_logger(__name__)
# the longest single wait of an ordered queue's in-place retry (it holds the chat's lock)
INLINE_RETRY_MAX_S = 30.0


class RetryPolicy(msgspec.Struct, frozen=True):
    base_seconds: float = 1.0
    max_attempts: int = 8
    max_seconds: float = float(DELAY_TIERS[-1])

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Delay before attempt ``attempt + 1``: base·4^(attempt-1), jittered down by up to 20%."""
        delay = min(self.base_seconds * 4 ** (attempt - 1), self.max_seconds)
        delay *= random.uniform(0.8, 1.0)
        if retry_after is not None:
            delay = min(max(delay, retry_after), self.max_seconds)
        return float(delay)


def delay_tier(seconds: float) -> int:
    return next((t for t in DELAY_TIERS if t >= seconds), DELAY_TIERS[-1])


class KeyedLocks:
    """One FIFO lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    async def acquire(self, key: str) -> None:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        await lock.acquire()

    def release(self, key: str) -> None:
        lock, users = self._locks[key]
        lock.release()
        if users == 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)


class Worker:
    """Consumes one queue with one handler."""

    def __init__(
        self, bus: Bus, spec: QueueSpec, handler: Handler, *, policy: RetryPolicy,
        prefetch: int = 32, on_failure: FailureHook | None = None,
    ) -> None:
        self.bus = bus
        self.spec = spec
        self.queue_name = bus.topology.queue_name(spec.name)
        self.handler = handler
        self.policy = policy
        self.prefetch = prefetch
        self.on_failure = on_failure
        self.ordered = spec.single_active_consumer
        self._locks = KeyedLocks()
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None

    async def start(self) -> None:
        self._channel = await self.bus.connection.channel()
        await self._channel.set_qos(prefetch_count=self.prefetch)
        self._queue = await self._channel.get_queue(self.queue_name, ensure=True)
        self._tag = await self._queue.consume(self._on_message)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking messages, let in-flight ones finish, then close the channel."""
        self._stopping = True
        if self._queue is not None and self._tag is not None:
            await self._queue.cancel(self._tag)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("stopped with messages in flight; the broker will redeliver them",
                        queue=self.queue_name, in_flight=self._inflight)
        if self._channel is not None:
            await self._channel.close()

    async def _on_message(self, incoming: AbstractIncomingMessage) -> None:
        self._inflight += 1
        self._idle.clear()
        try:
            await self._process(incoming)
        except Exception:
            # the retry/dead-letter publish or the ack failed: hand the message back now, so it
            # is neither stuck unacknowledged nor holding a prefetch slot until a restart
            log.exception("could not settle message; returned to the queue for redelivery",
                          queue=self.queue_name)
            with contextlib.suppress(Exception):
                await incoming.nack(requeue=True)
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def _process(self, incoming: AbstractIncomingMessage) -> None:
        headers = dict(incoming.headers or {})
        _delivery_headers.set(headers)
        attempt = int(str(headers.get("x-attempt", 1)))
        try:
            message = events.decode(incoming.body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            error = BadPayload(f"undecodable {incoming.type or 'message'}: {exc}",
                               code="BAD_PAYLOAD")
            await self._dead_letter(incoming, None, error, attempt)
            return
        key = events.chat_key_of(message) if self.ordered else None
        with structlog.contextvars.bound_contextvars(
            queue=self.spec.name, message_type=events.message_type(message),
            message_id=message.id, correlation_id=message.correlation_id,
        ):
            if key is None:
                await self._run(incoming, message, attempt)
                return
            await self._locks.acquire(key)
            try:
                await self._run(incoming, message, attempt)
            finally:
                self._locks.release(key)

    async def _run(
        self, incoming: AbstractIncomingMessage, message: events.Message, attempt: int
    ) -> None:
        started = time.perf_counter()
        while True:
            _attempt.set(attempt)
            try:
                await self.handler(message)
            except (PermanentError, BadPayload) as exc:
                await self._dead_letter(incoming, message, exc, attempt)
                return
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                # data that does not fit its shape (a stored document, a nested payload) will
                # not fit on the next attempt either
                await self._dead_letter(incoming, message, BadPayload(
                    f"invalid data while handling: {exc}", code="BAD_DATA"), attempt)
                return
            except RetryableError as exc:
                error: RetryableError = exc
            except Exception as exc:
                log.exception("handler raised an unexpected error", attempt=attempt)
                error = RetryableError(f"unexpected {exc.__class__.__name__}: {exc}",
                                       code="UNEXPECTED")
            else:
                await incoming.ack()
                self._observe("processed", started, attempt=attempt)
                return
            if attempt >= self.policy.max_attempts:
                await self._dead_letter(incoming, message, error, attempt)
                return
            delay = self.policy.backoff(attempt, error.retry_after)
            if not self.ordered:
                await self._schedule_retry(incoming, message, error, attempt, delay)
                return
            # an ordered queue never sends a message round the delay queue: the chat's next one
            # would overtake it. What fails here is shared trouble (a database or broker away,
            # a moment's conflict), not the chat's own, so waiting in place costs no other chat
            # more than a prefetch slot; the waits are capped so recovery is noticed soon
            delay = min(delay, INLINE_RETRY_MAX_S)
            if self._stopping:
                await incoming.nack(requeue=True)
                return
            log.warning("handler failed; retrying in place to keep the chat's order",
                        reason=str(error), attempt=attempt, retry_in_s=round(delay, 2))
            await self._notify(message, error, datetime.now(UTC) + timedelta(seconds=delay))
            MESSAGES.labels(self.spec.name, "retried").inc()
            await asyncio.sleep(delay)
            attempt += 1

    async def _schedule_retry(
        self, incoming: AbstractIncomingMessage, message: events.Message,
        error: RetryableError, attempt: int, delay: float,
    ) -> None:
        retry_at = datetime.now(UTC) + timedelta(seconds=delay)
        headers = self._headers(incoming, error, attempt) | {"x-attempt": attempt + 1}
        await self._notify(message, error, retry_at)
        await self.bus.send_to_queue(
            delay_queue_name(self.queue_name, delay_tier(delay)), incoming.body,
            headers=headers, properties=_properties(incoming), expiration=delay,
        )
        await incoming.ack()
        MESSAGES.labels(self.spec.name, "retried").inc()
        log.warning("handler failed; retry scheduled", reason=str(error), code=error.code,
                    attempt=attempt, retry_at=retry_at.isoformat())

    async def _dead_letter(
        self, incoming: AbstractIncomingMessage, message: events.Message | None,
        error: WabridgeError, attempt: int,
    ) -> None:
        if message is not None:
            await self._notify(message, error, None)
        await self.bus.send_to_queue(
            dead_letter_queue_name(self.queue_name), incoming.body,
            headers=self._headers(incoming, error, attempt), properties=_properties(incoming),
        )
        await incoming.ack()
        MESSAGES.labels(self.spec.name, "dead_lettered").inc()
        log.error("message dead-lettered; replay it with `wabridge dlq replay` once fixed",
                  reason=str(error), code=error.code, attempt=attempt,
                  dead_letter_queue=dead_letter_queue_name(self.queue_name))

    async def _notify(
        self, message: events.Message, error: WabridgeError, retry_at: datetime | None
    ) -> None:
        if self.on_failure is None:
            return
        try:
            await self.on_failure(message, error, retry_at)
        except RetryableError:
            if retry_at is None:
                # the failure must be visible before the message leaves for the dead-letter
                # queue: keep it and try again (the caller hands it back to the queue)
                raise
            log.warning("could not report a scheduled retry; carrying on with it")
        except Exception:
            log.exception("failure hook raised; carrying on with the retry/dead-letter")

    def _headers(
        self, incoming: AbstractIncomingMessage, error: WabridgeError, attempt: int
    ) -> dict[str, Any]:
        headers = dict(incoming.headers or {})
        headers.setdefault("x-original-routing-key", incoming.routing_key or "")
        headers.setdefault("x-original-exchange", incoming.exchange or "")
        return headers | failure_headers(self.queue_name, error, attempt)

    def _observe(self, outcome: str, started: float, **fields: Any) -> None:
        elapsed = time.perf_counter() - started
        child(MESSAGES, self.spec.name, outcome).inc()
        child(HANDLER_SECONDS, self.spec.name).observe(elapsed)
        log.info("message handled", outcome=outcome, ms=round(elapsed * 1000, 2), **fields)


def failure_headers(queue: str, error: WabridgeError, attempts: int) -> dict[str, Any]:
    """What a dead letter (or a retry) records about why it left ``queue``."""
    return {
        "x-queue": queue,
        "x-last-error": str(error)[:1000],
        "x-error-code": error.code or error.__class__.__name__,
        "x-error-kind": error.__class__.__name__,
        "x-attempts": attempts,
        "x-failed-at": datetime.now(UTC).isoformat(),
    }


def _properties(incoming: AbstractIncomingMessage) -> dict[str, Any]:
    return {
        "message_id": incoming.message_id, "correlation_id": incoming.correlation_id,
        "type": incoming.type, "content_type": incoming.content_type,
    }
