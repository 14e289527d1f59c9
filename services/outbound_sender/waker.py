"""The sends' timer: wake the chats whose time has come (a retry, a lease whose holder may have
died, a result not yet confirmed on the bus), and the chats of a number that reconnected.

One indexed query a second (``due_ms``), never a loop per chat. A wake is a ``SendMessage`` on
the chat's shard queue, so the shard's one active consumer handles it in order with the rest;
moving the due time on first keeps replicas from waking the same chat twice, and a wake that
got lost is sent again after ``WAKE_AGAIN_S``.
"""

from __future__ import annotations

import asyncio

import msgspec

from services.outbound_sender.deps import Deps
from shared import events
from shared.domain.sends import WAKE_AGAIN_S, SendRecord, epoch_ms
from shared.errors import WabridgeError
from shared.logs import get_logger

log = get_logger(__name__)
TICK_S = 1.0


async def wake_due(deps: Deps) -> int:
    """Publish one wake per due chat (and per due unreported result); returns how many."""
    now_ms = epoch_ms(events.utcnow())
    groups: dict[str, list[SendRecord]] = {}
    for record in await deps.sends.due(now_ms):
        groups.setdefault(record.chat_key if record.open else record.id, []).append(record)
    woken = 0
    for records in groups.values():
        first = min(records, key=lambda r: r.seq)
        try:
            wake = events.decode(first.command)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.error("a due send holds no readable command; left alone", send_id=first.id)
            continue
        if not await deps.sends.postpone([r.id for r in records], now_ms,
                                         now_ms + WAKE_AGAIN_S * 1000):
            continue  # another replica woke it
        await deps.bus.publish(wake)
        woken += 1
    return woken


async def run_waker(deps: Deps, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await wake_due(deps)
        except WabridgeError as exc:
            log.warning("could not wake due sends; trying again", reason=str(exc))
        except Exception:  # a timer that dies silently would leave retries waiting for good
            log.exception("waking due sends failed unexpectedly; trying again")
        try:
            await asyncio.wait_for(stop.wait(), TICK_S)
        except TimeoutError:
            pass


async def channel_changed(deps: Deps, event: events.ChannelUpdated) -> None:
    """Take a number's new state; when it is connected (again), its waiting sends go now."""
    if not deps.channel_states.learn(event.channel_id, event.state, event.at):
        return  # an older report than the state known
    if event.state == "active":
        woken = await deps.sends.wake_channel(event.channel_id, epoch_ms(events.utcnow()))
        if woken:
            log.info("number connected again; its waiting sends go now",
                     channel_id=event.channel_id, sends=woken)
