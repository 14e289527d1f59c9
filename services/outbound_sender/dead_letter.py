"""Sends that failed for good, kept in their shard's dead-letter queue for ``wabridge dlq``."""

from __future__ import annotations

from shared import events
from shared.bus import Bus, dead_letter_queue_name, send_queue
from shared.errors import PermanentError
from shared.worker import failure_headers


class BusDeadLetters:
    """The ``DeadLetters`` port: the same headers as the worker writes, so listing and
    replaying see no difference."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def put(self, cmd: events.SendMessage, code: str, reason: str, attempts: int) -> None:
        topology = self._bus.topology
        kind, key = topology.route(cmd)
        queue = topology.queue_name(send_queue(topology.shard_of(cmd.chat.key)))
        headers = {"x-original-routing-key": key,
                   "x-original-exchange": topology.exchange_name(kind),
                   "x-schema-version": cmd.schema_version}
        headers |= failure_headers(queue, PermanentError(reason, code=code), attempts)
        await self._bus.send_to_queue(
            dead_letter_queue_name(queue), events.encode(cmd), headers=headers,
            properties={"message_id": cmd.id, "correlation_id": cmd.correlation_id,
                        "type": events.message_type(cmd),
                        "content_type": "application/msgpack"})
