"""Sends: each chat's outgoing messages as a queue, attempted strictly from its head.

Deciding a send (bot-router's decision, a person's comment in task-sync) puts it at the end of
its chat's queue: one record in ``sends`` with the chat's next sequence number. outbound-sender
only ever attempts a chat's head, the lowest open sequence, so a later message cannot overtake
an earlier one however long the earlier one waits (a retry, a channel down for an hour, a
crash, a broker restart, another replica). A head that fails for good is settled ``failed``,
which releases the ones behind it. The bus only wakes the sender; the records are the queue.

A head being attempted is leased for ``LEASE_S`` and the lease is renewed while the call
lasts, so a holder that died is replaced within seconds, still inside a gateway's duplicate
window (Wazzup's ``crmMessageId``: 60 s). An attempt cut short (a crash or a timeout: the
gateway may have accepted it) is *ambiguous*: with a duplicate window it is retried only inside
that window, after which the send is settled as unknown rather than risk a second copy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import msgspec

from shared.errors import BadPayload, PermanentError, RetryableError, WabridgeError

SendState = Literal["queued", "sent", "failed"]

LEASE_S = 10  # a live holder renews every RENEW_EVERY_S; a dead one is replaced after this
RENEW_EVERY_S = 3.0
WAKE_AGAIN_S = 15  # a wake that got lost is published again after this
REPORT_AGAIN_S = 5  # a result whose event was not confirmed is published again after this
CHANNEL_WAIT_S = 60.0  # a send to an inactive number looks again after this (or on reconnect)
AMBIGUOUS_RETRY_S = 2.0  # retries of an ambiguous attempt keep inside the duplicate window
WINDOW_SHARE = 0.75  # of the gateway's duplicate window that retries may use
AMBIGUOUS_CODES = frozenset({"GATEWAY_TIMEOUT", "INTERRUPTED"})
NEVER = "RESULT_UNKNOWN"
# a place kept for a text (``SendMessage.awaits_text``) holds its chat this long at most, then
# steps aside (the text, when it comes, goes at the end of the queue)
AWAIT_TEXT_S = 120


class SendRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One send command in its chat's queue. Times the queue works with are epoch ms."""

    id: str
    state: SendState
    task_id: str
    comment_id: str
    created_at: datetime
    chat_key: str = ""
    channel_id: str = ""
    seq: int = 0
    part: int = 0
    command: bytes = b""  # the encoded SendMessage, attempted as it was decided
    attempts: int = 0  # failed attempts that count toward the limit
    retry_at_ms: int = 0  # not attempted before this
    lease_owner: str | None = None
    lease_until: int = 0  # 0: nobody holds it
    claimed_ms: int = 0
    ambiguous_since_ms: int | None = None  # first attempt that may have reached the gateway
    interrupted: int = 0  # attempts cut short by a crash of their holder
    replays: int = 0  # times an operator put it back after it had failed
    last_code: str | None = None
    last_error: str | None = None
    gateway_message_id: str | None = None
    sent_at: datetime | None = None
    failure: str | None = None
    failure_code: str | None = None
    unreported: int | None = None  # 1 while the result event is not confirmed on the bus
    awaits_text_until_ms: int = 0  # a place kept for a text to come, until then (0: has it)

    @property
    def open(self) -> bool:
        return self.state == "queued"


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """What taking a head's lease writes: the holder, until when, and whether the previous
    holder died mid-attempt (its lease was never given back)."""

    owner: str
    until_ms: int
    interrupted: bool
    ambiguous_since_ms: int | None


def claim_of(record: SendRecord, owner: str, now_ms: int) -> Claim | None:
    """The claim ``owner`` may take on the head ``record``, or None while it must wait (its
    retry time has not come, or a live holder has it)."""
    if not record.open or record.retry_at_ms > now_ms or record.lease_until > now_ms \
            or record.awaits_text_until_ms > now_ms:
        return None
    interrupted = record.lease_owner is not None and record.lease_until > 0
    ambiguous = record.ambiguous_since_ms
    if interrupted and ambiguous is None:
        ambiguous = record.claimed_ms or now_ms
    return Claim(owner=owner, until_ms=now_ms + LEASE_S * 1000, interrupted=interrupted,
                 ambiguous_since_ms=ambiguous)


def waits_until(record: SendRecord) -> int:
    """When a head that may not be attempted now should be looked at again."""
    return max(record.retry_at_ms, record.lease_until, record.awaits_text_until_ms)


def steps_aside(record: SendRecord, now_ms: int) -> bool:
    """A place kept for a text that did not come in time: it stops holding the chat."""
    return record.open and 0 < record.awaits_text_until_ms <= now_ms


def fills(record: SendRecord, cmd_awaits_text: bool) -> bool:
    """A command with its text for a place kept for it (open, or stepped aside)."""
    return record.awaits_text_until_ms > 0 and not cmd_awaits_text


class Retry(msgspec.Struct, frozen=True, kw_only=True):
    at_ms: int
    attempts: int
    ambiguous_since_ms: int | None


class GiveUp(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    reason: str


def window_closed(ambiguous_since_ms: int | None, window_s: float, now_ms: int) -> bool:
    """An ambiguous send may no longer be retried safely: the gateway would send a copy."""
    return (window_s > 0 and ambiguous_since_ms is not None
            and now_ms - ambiguous_since_ms > window_s * WINDOW_SHARE * 1000)


def unknown_result(window_s: float) -> GiveUp:
    return GiveUp(code=NEVER, reason=(
        f"the gateway did not answer, and more than {window_s * WINDOW_SHARE:.0f} s passed: it "
        "may or may not have delivered the message, and trying again could send a second copy. "
        "Resend it if the customer did not get it"))


def after_failure(
    record: SendRecord, error: WabridgeError, now_ms: int, *, backoff_s: float,
    max_attempts: int, dedupe_window_s: float,
) -> Retry | GiveUp:
    """What follows a failed attempt at ``record``: a retry at some time, or giving up.

    ``backoff_s`` is the worker policy's delay for this attempt; a number that is not connected
    waits without counting attempts; an ambiguous failure keeps its retries inside the
    gateway's duplicate window (``dedupe_window_s``; 0: none, so at-least-once)."""
    code = error.code or error.__class__.__name__
    if isinstance(error, PermanentError | BadPayload):
        return GiveUp(code=code, reason=error.reason)
    assert isinstance(error, RetryableError)
    if code == "CHANNEL_NOT_ACTIVE":
        return Retry(at_ms=now_ms + int(CHANNEL_WAIT_S * 1000), attempts=record.attempts,
                     ambiguous_since_ms=record.ambiguous_since_ms)
    ambiguous = record.ambiguous_since_ms
    if code in AMBIGUOUS_CODES and ambiguous is None:
        ambiguous = record.claimed_ms or now_ms
    attempts = record.attempts + 1
    if attempts >= max_attempts:
        return GiveUp(code=code, reason=f"{error.reason} (gave up after {attempts} attempts)")
    if window_closed(ambiguous, dedupe_window_s, now_ms):
        return unknown_result(dedupe_window_s)
    delay = backoff_s
    if ambiguous is not None and dedupe_window_s > 0:
        delay = min(delay, AMBIGUOUS_RETRY_S)
    return Retry(at_ms=now_ms + int(delay * 1000), attempts=attempts, ambiguous_since_ms=ambiguous)


def superseded_by(record: SendRecord, others: list[SendRecord]) -> SendRecord | None:
    """Another send of the same comment part that was sent or is on its way (a resend): a
    replay of ``record`` would give the customer a second copy."""
    return next((o for o in others if o.id != record.id and o.part == record.part
                 and o.comment_id == record.comment_id and o.state != "failed"), None)
