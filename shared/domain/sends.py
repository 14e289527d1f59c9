"""Sends: one record per send command, and the lease that keeps two consumers off the gateway.

A send being attempted is leased to one consumer for ``LEASE_S``. Another copy of the command
(a redelivery, a replica taking over a shard) may claim it only when the holder released it
after a retryable failure or died holding it; until then it waits (``SEND_LEASED``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from shared.errors import RetryableError

SendState = Literal["sending", "sent", "failed"]

LEASE_S = 60  # longer than a gateway call may take (timeout 15 s, plus an upload)


class SendRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    state: SendState
    task_id: str
    comment_id: str
    created_at: datetime
    gateway_message_id: str | None = None
    sent_at: datetime | None = None
    failure: str | None = None


class Lease(msgspec.Struct, frozen=True, kw_only=True):
    """Who attempts a send, until when (epoch milliseconds; 0: released)."""

    owner: str | None = None
    until_ms: int = 0


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def lease_for(owner: str, now: datetime) -> Lease:
    """A fresh lease for ``owner``, from ``now``."""
    return Lease(owner=owner, until_ms=epoch_ms(now) + LEASE_S * 1000)


def may_claim(state: SendState, held: Lease, claimant: str, now: datetime) -> bool:
    """Whether ``claimant`` may attempt the send: it is open, and the lease is his or lapsed."""
    return state == "sending" and (held.owner == claimant or held.until_ms < epoch_ms(now))


def leased_elsewhere(send_id: str) -> RetryableError:
    """The error for a copy that arrives while another consumer holds the send's lease."""
    return RetryableError(f"send {send_id} is being attempted by another consumer; trying "
                          "again when it finishes or its lease expires", code="SEND_LEASED")
