"""Deciding a send: put it at the end of its chat's queue (the ``sends`` records), then wake
the sender on the bus.

The records are the queue and the order (``shared.domain.sends``); the bus only says "look at
this chat". So a send counts as decided once it is queued: a wake the broker did not confirm
is no failure (outbound-sender's timer wakes the chat within seconds), and a broker that is
away never lets a later message of the chat overtake an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from shared import events
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


class SendQueue(Protocol):
    async def enqueue(self, commands: Sequence[events.SendMessage], now: datetime
                      ) -> dict[str, int]:
        """Put sends at the end of their chats' queues (one queued before keeps its place);
        the new ones' sequence numbers by send id."""
        ...


class Publisher(Protocol):
    async def publish(self, message: events.Message) -> None: ...

    async def publish_all(self, messages: Sequence[events.Message]) -> None: ...


class QueueingPublisher:
    """A publisher for the services that decide sends (bot-router, task-sync): other messages
    are published as they are; sends are queued first, in order, then woken."""

    def __init__(self, bus: Publisher, queue: SendQueue) -> None:
        self._bus = bus
        self._queue = queue

    async def publish(self, message: events.Message) -> None:
        if not _is_send(message):
            await self._bus.publish(message)
            return
        assert isinstance(message, events.SendMessage)
        places = await self._queue.enqueue([message], events.utcnow())
        await self._wake(_placed([message], places))

    async def publish_all(self, messages: Sequence[events.Message]) -> None:
        """Queue the sends, publish the others (raises unless confirmed), wake the sends.

        Queued first: whoever learns of the others (a hand-over, a comment) and answers cannot
        get an answer queued ahead of these sends. Woken last: the records they report on are
        usually there when their results arrive."""
        sends = [m for m in messages if isinstance(m, events.SendMessage) and _is_send(m)]
        others = [m for m in messages if not _is_send(m)]
        places = await self._queue.enqueue(sends, events.utcnow()) if sends else {}
        if others:
            await self._bus.publish_all(others)
        if sends:
            await self._wake(_placed(sends, places))

    async def _wake(self, sends: list[events.SendMessage]) -> None:
        try:
            if len(sends) == 1:
                await self._bus.publish(sends[0])
            else:
                await self._bus.publish_all(sends)
        except RetryableError as exc:
            log.warning("sends queued, but their wake was not confirmed; the sender's timer "
                        "wakes them", sends=len(sends), reason=str(exc))


def _placed(sends: list[events.SendMessage], places: dict[str, int]
            ) -> list[events.SendMessage]:
    """The wakes, each new send's carrying its place in the queue (one queued before: none)."""
    return [msgspec.structs.replace(s, seq=places[s.id]) if s.id in places else s
            for s in sends]


def _is_send(message: events.Message) -> bool:
    """A send to queue (a reconciliation's question is published as it is)."""
    return isinstance(message, events.SendMessage) and not message.reconcile
