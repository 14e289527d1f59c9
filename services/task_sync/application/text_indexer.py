"""The message-text search's indexer: task-sync's background loop that writes the words of
newly stored (marked) comments into the word index, and once backfills the comments stored
before the index existed (``shared.store.search_index``).

Every replica runs it: the work is idempotent, so two replicas taking the same batch write the
same entries; a crash leaves the comments marked (or the backfill's place kept) for the next
round. While comments wait, a search matches them directly, so it finds a message at once.
"""

from __future__ import annotations

import asyncio

from services.task_sync.application.batching import first_of
from shared.errors import RetryableError
from shared.logs import get_logger
from shared.store import search_index
from shared.store.mongo import Database

log = get_logger(__name__)

IDLE_S = 1.0  # between rounds that found nothing to index: one indexed query per second
RETRY_S = 5.0


async def index_round(db: Database) -> int:
    """One round: a batch of marked comments, then a backfill step while it is unfinished;
    how many comments were indexed."""
    indexed = await search_index.index_marked(db)
    if not await search_index.backfill_done(db):
        indexed += await search_index.backfill_step(db)
    return indexed


async def run_text_indexer(db: Database, stop: asyncio.Event) -> None:
    """Index until stopped: at once while there is work, every ``IDLE_S`` when there is none."""
    while not stop.is_set():
        try:
            indexed = await index_round(db)
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
