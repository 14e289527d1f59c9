"""Sending a chat's queue: its head only, one at a time, each result reported once confirmed.

A ``SendMessage`` on the bus is a wake: "chat X may have something to send". The handler
reports a result still unconfirmed, then drains the chat: while the head may go, claim it,
call the gateway, settle it, move on. A head that must wait (a retry time, a live holder's
lease) stops the drain; the sends' timer (``waker.py``) wakes the chat when it is due, so the
chat holds nothing meanwhile. The rules are in ``shared.domain.sends``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import datetime

import msgspec

from services.outbound_sender.delivery import deliver
from services.outbound_sender.deps import Deps
from shared import events
from shared.domain.sends import (
    LEASE_S,
    RENEW_EVERY_S,
    Claim,
    GiveUp,
    Retry,
    SendRecord,
    after_failure,
    claim_of,
    epoch_ms,
    fills,
    from_ms,
    steps_aside,
    superseded_by,
    unknown_result,
    waits_until,
    window_closed,
)
from shared.errors import BadPayload, WabridgeError
from shared.logs import get_logger
from shared.providers import REGISTRY
from shared.worker import is_replay

log = get_logger(__name__)
MAX_PER_WAKE = 100  # a chat's backlog is sent in one go up to this; a wake continues it


async def on_wake(deps: Deps, cmd: events.SendMessage) -> None:
    """A wake for ``cmd``'s chat (a decider's, the timer's, a replay or a reconciliation)."""
    if cmd.reconcile:
        await _answer(deps, cmd, await deps.sends.get(cmd.id))
        return
    if await _next_in_turn(deps, cmd):
        return
    heads = await deps.sends.first(cmd.chat.key, 2)
    if heads and heads[0].id == cmd.id and not fills(heads[0], cmd.awaits_text):
        # the usual wake: its send is the chat's head (open and queued), nothing to settle
        # first; one read instead of reading the send, then the head
        await drain(deps, cmd.chat.key, heads)
        return
    record = await deps.sends.get(cmd.id)
    if record is None:
        await deps.sends.enqueue([cmd], events.utcnow())  # a producer that did not queue it
    elif fills(record, cmd.awaits_text):
        await _fill(deps, cmd, record)
    elif record.unreported and record.id not in deps.report_marks:
        await report(deps, record)  # its result event was not confirmed: publish it again
    elif is_replay():
        await _replay(deps, cmd, record)
    elif record.open and not record.chat_key:  # recorded before sends were queued
        await deps.sends.requeue(cmd, events.utcnow())
    else:
        await drain(deps, cmd.chat.key, heads)  # nothing changed since the heads were read
        return
    await drain(deps, cmd.chat.key)


async def _next_in_turn(deps: Deps, cmd: events.SendMessage) -> bool:
    """The usual wake, when this process settled the chat's send just before this one: take
    it without reading the queue (one round trip less per send). True when it was taken."""
    if cmd.awaits_text or is_replay() or not deps.queue_marks.is_next(cmd.chat.key, cmd.seq):
        return False
    now_ms = epoch_ms(events.utcnow())
    taken = Claim(owner=_attempt_owner(deps), until_ms=now_ms + LEASE_S * 1000,
                  interrupted=False, ambiguous_since_ms=None)
    record = await deps.sends.claim_next(cmd, taken, now_ms)
    if record is None:
        return False  # touched since (attempted, or settled elsewhere): read the queue
    if await attempt(deps, record, taken.owner):
        deps.queue_marks.settled(record.chat_key, record.seq)
    return True


def _attempt_owner(deps: Deps) -> str:
    """Who holds a lease: this process, and this attempt of it."""
    return f"{deps.instance_id}:{uuid.uuid4().hex[:8]}"


async def _fill(deps: Deps, cmd: events.SendMessage, record: SendRecord) -> None:
    """The text for the place kept for it; one that stepped aside goes at the end."""
    if record.open and await deps.sends.fill(cmd):
        log.info("a send's text came; it goes in the place kept for it", send_id=cmd.id)
    elif not record.open and await deps.sends.requeue(cmd, events.utcnow()):
        log.warning("a send's text came after its place was given up; it goes at the end of "
                    "its chat's queue", send_id=cmd.id)


async def _answer(deps: Deps, cmd: events.SendMessage, record: SendRecord | None) -> None:
    """task-sync asks what became of a send whose comment has no result yet: say it."""
    if record is None:
        log.warning("asked about a send that was never queued", send_id=cmd.id)
        await deps.bus.publish(_failed(cmd, "SEND_UNKNOWN", "wabridge has no record of this "
                                       "send: it never reached the send queue. Resend it", None))
        return
    if record.open:
        await drain(deps, record.chat_key)
        record = await deps.sends.get(cmd.id) or record
    if record.open:
        retry_at = from_ms(record.retry_at_ms) if record.retry_at_ms else None
        why = record.last_error or "it waits for the chat's earlier messages to go first"
        await deps.bus.publish(_failed(cmd, record.last_code or "QUEUED", why, retry_at,
                                       final=False))
        return
    await report(deps, record)


async def _replay(deps: Deps, cmd: events.SendMessage, record: SendRecord) -> None:
    """An operator replayed a dead letter: send it again unless the customer has it."""
    if record.state == "sent":
        log.warning("replayed send was sent before; nothing sent again", send_id=cmd.id)
        return
    if record.state != "failed":
        return  # still queued: it goes in its turn
    if (other := superseded_by(record, await deps.sends.of_comment(record.comment_id))):
        log.warning("replayed send not sent: its comment was sent again since (a resend); "
                    "nothing sent", send_id=cmd.id, superseded_by=other.id,
                    comment_id=record.comment_id, other_state=other.state)
        return
    if await deps.sends.requeue(cmd, events.utcnow()):
        log.info("replayed send queued again at the end of its chat", send_id=cmd.id,
                 failed_with=record.failure)


async def drain(deps: Deps, chat_key: str, heads: list[SendRecord] | None = None) -> None:
    """Send the chat's heads in order while they may go (``heads``: the first two, just read).

    Once the last send it saw is settled it stops without reading again: a send queued since
    has its own wake, handled after this one (a chat's wakes are handled one at a time, and a
    lost wake is published again by the sends' timer)."""
    for _ in range(MAX_PER_WAKE):
        if heads is None:
            heads = await deps.sends.first(chat_key, 2)
        if not heads:
            return
        head, more = heads[0], len(heads) > 1
        heads = None
        deps.queue_marks.head_seen(chat_key, head.seq)
        now_ms = epoch_ms(events.utcnow())
        if steps_aside(head, now_ms):
            if await deps.sends.step_aside(head.id):
                log.warning("a send waited for its text in vain; the chat's next messages go "
                            "on (the text goes at the end when it comes)", send_id=head.id,
                            comment_id=head.comment_id)
            continue
        owner = _attempt_owner(deps)
        taken = claim_of(head, owner, now_ms)
        if taken is None:  # it waits: nothing of this chat needs a wake before then
            await deps.sends.hold(chat_key, waits_until(head))
            return
        if not await deps.sends.claim(head, taken, now_ms):
            continue  # changed under us: read the head again
        if taken.interrupted:
            log.warning("retrying a send whose attempt was cut short (its holder died)",
                        send_id=head.id, since_ms=now_ms - head.claimed_ms)
        head = msgspec.structs.replace(head, claimed_ms=now_ms,
                                       ambiguous_since_ms=taken.ambiguous_since_ms)
        if not await attempt(deps, head, owner):
            return
        deps.queue_marks.settled(chat_key, head.seq)
        if not more:
            return


async def attempt(deps: Deps, record: SendRecord, owner: str) -> bool:
    """One attempt at the head; True when it is settled (the next one may go)."""
    try:
        cmd = events.decode(record.command)
        if not isinstance(cmd, events.SendMessage):
            raise BadPayload(f"send {record.id} holds a {type(cmd).__name__}", code="BAD_DATA")
    except (msgspec.DecodeError, msgspec.ValidationError, BadPayload) as exc:
        await give_up(deps, record, GiveUp(code="BAD_DATA", reason=str(exc)), None)
        return True
    provider = REGISTRY.get(cmd.chat.provider)
    window = provider.capabilities.send_dedupe_window_s if provider else 0.0
    now_ms = epoch_ms(events.utcnow())
    if window_closed(record.ambiguous_since_ms, window, now_ms):
        await give_up(deps, record, unknown_result(window), cmd)
        return True
    keeper = asyncio.create_task(_keep_lease(deps, record.id, owner))
    try:
        result = await deliver(deps, cmd)
    except WabridgeError as exc:
        outcome = after_failure(
            record, exc, epoch_ms(events.utcnow()), max_attempts=deps.retry.max_attempts,
            backoff_s=deps.retry.backoff(record.attempts + 1, getattr(exc, "retry_after", None)),
            dedupe_window_s=window)
        if isinstance(outcome, GiveUp):
            await give_up(deps, record, outcome, cmd)
            return True
        await _wait(deps, record, cmd, owner, outcome, exc)
        return False
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    if result.already_sent:
        log.info("gateway says this send was accepted before; not sending again",
                 send_id=record.id)
    await deps.sends.mark_sent(record.id, result.gateway_message_id, events.utcnow())
    sent = msgspec.structs.replace(record, state="sent",
                                   gateway_message_id=result.gateway_message_id)
    await report(deps, sent)
    return True


async def _keep_lease(deps: Deps, send_id: str, owner: str) -> None:
    """Renew the lease while the gateway call lasts, so only a dead holder loses it."""
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        until = epoch_ms(events.utcnow()) + LEASE_S * 1000
        try:
            await deps.sends.renew(send_id, owner, until)
        except WabridgeError as exc:
            log.warning("could not renew a send's lease", send_id=send_id, reason=str(exc))


async def _wait(deps: Deps, record: SendRecord, cmd: events.SendMessage, owner: str,
                retry: Retry, error: WabridgeError) -> None:
    """The head waits for its retry; the comment shows why and until when."""
    code = error.code or error.__class__.__name__
    await deps.sends.retry_later(record.id, owner, retry, code, str(error))
    await deps.sends.hold(record.chat_key, retry.at_ms)
    log.warning("send failed; retry scheduled", send_id=record.id, code=code,
                reason=error.reason, attempts=retry.attempts, retry_at=from_ms(retry.at_ms))
    try:
        await deps.bus.publish(_failed(cmd, code, error.reason, from_ms(retry.at_ms)))
    except WabridgeError as exc:  # the comment catches up with the next result
        log.warning("could not report a scheduled retry", send_id=record.id, reason=str(exc))


async def give_up(deps: Deps, record: SendRecord, why: GiveUp,
                  cmd: events.SendMessage | None) -> None:
    """Settle the head as failed for good: it is dead-lettered for people, the comment shows
    it, and the chat's next send becomes the head."""
    if cmd is not None:
        await deps.dead_letters.put(cmd, why.code, why.reason, record.attempts + 1)
    if not await deps.sends.mark_failed(record.id, why.code, why.reason, events.utcnow()):
        return  # settled meanwhile by a holder we thought dead
    log.error("send failed for good; the chat's next message goes on", send_id=record.id,
              code=why.code, reason=why.reason)
    await report(deps, msgspec.structs.replace(record, state="failed", failure=why.reason,
                                               failure_code=why.code))


async def report(deps: Deps, record: SendRecord) -> None:
    """Publish a settled send's result (again, if it was not confirmed), then note it."""
    if record.open:
        return
    try:
        cmd = events.decode(record.command) if record.command else None
    except (msgspec.DecodeError, msgspec.ValidationError):
        cmd = None
    if not isinstance(cmd, events.SendMessage):
        log.error("cannot report a send whose command is unreadable", send_id=record.id)
        await deps.sends.mark_reported([record.id])
        return
    if record.state == "sent":
        await deps.bus.publish(succeeded(cmd, record.gateway_message_id,
                                         replayed=record.replays > 0))
    else:
        await deps.bus.publish(_failed(cmd, record.failure_code or "FAILED",
                                       record.failure or "failed", None))
    deps.report_marks.add(record.id)  # written with others a moment later


def succeeded(cmd: events.SendMessage, gateway_message_id: str | None, *,
              replayed: bool = False) -> events.SendSucceeded:
    """``replayed``: the send had failed and was put back (its comment may leave "failed")."""
    return events.SendSucceeded(
        id=events.derive_id("sent", cmd.id), correlation_id=cmd.correlation_id,
        occurred_at=events.utcnow(), send_id=cmd.id, task_id=cmd.task_id,
        comment_id=cmd.comment_id, gateway_message_id=gateway_message_id, part=cmd.part,
        replayed=replayed)


def _failed(cmd: events.SendMessage, code: str, reason: str, retry_at: datetime | None, *,
            final: bool | None = None) -> events.SendFailed:
    """The send failed for good (``retry_at`` None), or waits (until ``retry_at``)."""
    return events.SendFailed(
        id=events.derive_id("failed", cmd.id, code, str(retry_at), str(final)),
        correlation_id=cmd.correlation_id, occurred_at=events.utcnow(), send_id=cmd.id,
        task_id=cmd.task_id, comment_id=cmd.comment_id, reason=reason, code=code,
        final=retry_at is None if final is None else final, retry_at=retry_at, part=cmd.part)
