"""The message-text search's indexer: task-sync's background loop that writes the words of
newly stored (marked) comments into the word index, and once backfills the comments stored
before the index existed (``shared.store.search_index``).

Every replica runs it: the work is idempotent, so two replicas taking the same batch write the
same entries; a crash leaves the comments marked (or the backfill's place kept) for the next
round. While comments wait, a search matches them directly, so it finds a message at once.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from shared.batching import first_of
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)

IDLE_S = 1.0  # between rounds that found nothing to index: one indexed query per second
RETRY_S = 5.0


class TextIndex(Protocol):
    """The word index as the indexer needs it (MongoDB: ``shared.store.search_index``)."""

    async def index_marked(self) -> int:
        """Index a batch of marked comments; how many."""
        ...

    async def backfill_done(self) -> bool: ...

    async def backfill_step(self) -> int:
        """Index the next batch of comments stored before the index; how many."""
        ...


async def index_round(index: TextIndex) -> int:
    """One round: a batch of marked comments, then a backfill step while it is unfinished;
    how many comments were indexed."""
    indexed = await index.index_marked()
    if not await index.backfill_done():
        indexed += await index.backfill_step()
    return indexed


async def run_text_indexer(index: TextIndex, stop: asyncio.Event) -> None:
    """Index until stopped: at once while there is work, every ``IDLE_S`` when there is none."""
    while not stop.is_set():
        try:
            indexed = await index_round(index)
        except RetryableError as exc:
            log.warning("indexing message words failed; trying again soon", reason=str(exc))
            await first_of(stop, timeout=RETRY_S)
            continue
        except Exception:  # an indexer that dies silently would leave new messages unfound
            log.exception("indexing message words failed unexpectedly; trying again soon")
            await first_of(stop, timeout=RETRY_S)
            continue
        if not indexed:
            await first_of(stop, timeout=IDLE_S)
