"""Sends whose result the bus confirmed, marked reported together a few times a second.

The result event goes out as soon as the gateway accepted (or refused for good) a send; noting
"reported" in the ledger is what keeps the sends' timer from publishing it again. One write for
every send settled in the last moment instead of one per send: a mark lost in a crash only
means the result is published once more after ``REPORT_AGAIN_S`` (task-sync takes a result
once), so nothing waits on it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial

from services.outbound_sender.ports import SendLedger
from shared.batching import run_batched_writes

EVERY_S = 0.2  # well inside REPORT_AGAIN_S, after which the timer would publish it again


@dataclass
class ReportMarks:
    """Send ids whose result event is confirmed, not yet marked reported in the ledger."""

    ids: list[str] = field(default_factory=list)
    has_items: asyncio.Event = field(default_factory=asyncio.Event)

    def __contains__(self, send_id: str) -> bool:
        """Its result went out and is only waiting for the mark."""
        return send_id in self.ids

    def add(self, send_id: str) -> None:
        self.ids.append(send_id)
        self.has_items.set()

    async def write(self, ledger: SendLedger) -> None:
        """Mark what was gathered; on a failure the ids stay for the next write."""
        taken, self.ids = self.ids, []
        self.has_items.clear()
        if not taken:
            return
        try:
            await ledger.mark_reported(taken)
        except BaseException:
            self.ids[:0] = taken
            self.has_items.set()
            raise


async def run_report_marks(marks: ReportMarks, ledger: SendLedger,
                           stop: asyncio.Event) -> None:
    await run_batched_writes(stop, marks.has_items, partial(marks.write, ledger),
                             every_s=EVERY_S, what="send results as reported")
