"""Writes gathered in memory and made together a few times a second (one round trip for many
messages), with waiting helpers for the background loops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def first_of(*flags: asyncio.Event, timeout: float | None) -> None:
    """Wait until one of the flags is set or the timeout passes."""
    waits = [asyncio.ensure_future(flag.wait()) for flag in flags]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


async def run_batched_writes(stop: asyncio.Event, ready: asyncio.Event,
                             write: Callable[[], Awaitable[None]], *, every_s: float,
                             what: str) -> None:
    """Call ``write`` every ``every_s`` while ``ready`` is set, once more at the end; a failed
    write keeps its items (``write`` puts them back) and is tried again a little later."""
    try:
        while not stop.is_set():
            await first_of(stop, ready, timeout=None)
            await first_of(stop, timeout=every_s)  # gather a batch
            try:
                await write()
            except RetryableError as exc:
                log.warning(f"could not write {what}; trying again", reason=str(exc))
                await first_of(stop, timeout=every_s * 4)
    finally:  # also when the service cancels its background jobs at stop
        try:
            await write()
        except RetryableError as exc:
            log.warning(f"could not write {what} at stop", reason=str(exc))
