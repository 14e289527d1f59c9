"""The sends' queue on MongoDB (or the stand-in): per-chat order, the head's lease, settling,
reporting, the timer's due times. The in-memory fake is held to the same contract."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from services.outbound_sender.ports import SendLedger
from shared import events
from shared.domain.sends import Claim, Retry, SendRecord, claim_of, epoch_ms
from shared.store import sends
from shared.store.sends import MongoSendLedger
from tests.fakes.outbound_sender import FakeSendLedger

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
NOW_MS = epoch_ms(NOW)
CHAT = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                      chat_id="79011112233")


def command(send_id: str = "send-1", chat: events.ChatRef = CHAT, comment_id: str = "c1",
            part: int = 0) -> events.SendMessage:
    return events.SendMessage(id=send_id, correlation_id="corr", occurred_at=NOW, chat=chat,
                              task_id="t1", comment_id=comment_id, text="hello", part=part)


@pytest.fixture(params=["mongo", "fake"])
async def ledger(request: pytest.FixtureRequest, db: Any) -> SendLedger:
    if request.param == "fake":
        return FakeSendLedger()
    await sends.ensure_indexes(db)
    return MongoSendLedger(db)


async def claimed(ledger: SendLedger, owner: str = "p1", now_ms: int = NOW_MS) -> SendRecord:
    head = await ledger.head(CHAT.key)
    assert head is not None
    taken = claim_of(head, owner, now_ms)
    assert taken is not None and await ledger.claim(head, taken, now_ms)
    again = await ledger.get(head.id)
    assert again is not None
    return again


async def test_sends_queue_in_the_order_given_and_keep_their_place(ledger: SendLedger) -> None:
    assert len(await ledger.enqueue([command("a"), command("b")], NOW)) == 2
    assert list(await ledger.enqueue([command("c"), command("a")], NOW)) == ["c"]  # "a" before

    head = await ledger.head(CHAT.key)
    assert head is not None and head.id == "a"
    seqs = {i: (await ledger.get(i)).seq for i in "abc"}  # type: ignore[union-attr]
    assert seqs["a"] < seqs["b"] < seqs["c"]
    decoded = events.decode(head.command)
    assert decoded == command("a")


async def test_each_chat_has_its_own_queue(ledger: SendLedger) -> None:
    other = msgspec.structs.replace(CHAT, chat_id="79015556677")
    await ledger.enqueue([command("a"), command("x", chat=other)], NOW)
    assert (await ledger.head(other.key)).id == "x"  # type: ignore[union-attr]
    assert (await ledger.head(CHAT.key)).id == "a"  # type: ignore[union-attr]


async def test_a_claimed_head_cannot_be_claimed_again_until_its_lease_ends(
    ledger: SendLedger,
) -> None:
    await ledger.enqueue([command()], NOW)
    seen = await ledger.head(CHAT.key)
    assert seen is not None
    record = await claimed(ledger, "p1")
    assert record.lease_owner == "p1"
    assert claim_of(record, "p2", NOW_MS + 1000) is None  # a live holder has it
    stale = claim_of(seen, "p2", NOW_MS)
    assert stale is not None and not await ledger.claim(seen, stale, NOW_MS)  # changed meanwhile

    later = record.lease_until + 1
    taken = claim_of(record, "p2", later)
    assert taken is not None and taken.interrupted  # p1 died holding it
    assert await ledger.claim(record, taken, later)
    after = await ledger.get(record.id)
    assert after is not None and (after.lease_owner, after.interrupted) == ("p2", 1)


async def test_a_retry_gives_the_lease_back_and_waits(ledger: SendLedger) -> None:
    await ledger.enqueue([command()], NOW)
    record = await claimed(ledger)
    await ledger.retry_later(record.id, "p1", Retry(at_ms=NOW_MS + 5000, attempts=1,
                                                    ambiguous_since_ms=None), "HTTP_503", "busy")
    again = await ledger.get(record.id)
    assert again is not None
    assert (again.lease_owner, again.retry_at_ms, again.attempts, again.last_code) == (
        None, NOW_MS + 5000, 1, "HTTP_503")
    assert claim_of(again, "p2", NOW_MS + 4999) is None
    taken = claim_of(again, "p2", NOW_MS + 5001)
    assert taken is not None and not taken.interrupted


async def test_settling_the_head_makes_the_next_one_the_head(ledger: SendLedger) -> None:
    await ledger.enqueue([command("a"), command("b"), command("c")], NOW)
    await claimed(ledger)
    await ledger.mark_sent("a", "gw-1", NOW)
    assert (await ledger.head(CHAT.key)).id == "b"  # type: ignore[union-attr]
    await claimed(ledger)
    assert await ledger.mark_failed("b", "BAD_CONTACT", "no account", NOW)
    assert (await ledger.head(CHAT.key)).id == "c"  # type: ignore[union-attr]

    sent, failed = await ledger.get("a"), await ledger.get("b")
    assert sent is not None and failed is not None
    assert (sent.state, sent.gateway_message_id, sent.unreported) == ("sent", "gw-1", 1)
    assert (failed.state, failed.failure_code, failed.failure) == (
        "failed", "BAD_CONTACT", "no account")


async def test_a_sent_send_is_never_marked_failed(ledger: SendLedger) -> None:
    await ledger.enqueue([command()], NOW)
    await ledger.mark_sent("send-1", "gw-1", NOW)
    assert not await ledger.mark_failed("send-1", "X", "late", NOW)
    assert (await ledger.get("send-1")).state == "sent"  # type: ignore[union-attr]


async def test_an_unreported_result_is_due_until_it_is_reported(ledger: SendLedger) -> None:
    await ledger.enqueue([command()], NOW)
    await ledger.mark_sent("send-1", "gw-1", NOW)
    later_ms = NOW_MS + 60_000
    assert [r.id for r in await ledger.due(later_ms)] == ["send-1"]

    await ledger.mark_reported(["send-1"])
    assert await ledger.due(later_ms) == []
    assert (await ledger.get("send-1")).unreported is None  # type: ignore[union-attr]


async def test_due_sends_are_postponed_once_so_one_process_wakes_them(ledger: SendLedger) -> None:
    await ledger.enqueue([command("a"), command("b")], NOW)
    due_at = NOW_MS + 60_000
    assert {r.id for r in await ledger.due(due_at)} == {"a", "b"}

    assert await ledger.postpone(["a", "b"], due_at, due_at + 15_000) == 2
    assert await ledger.postpone(["a", "b"], due_at, due_at + 15_000) == 0
    assert await ledger.due(due_at) == []


async def test_holding_a_chat_pushes_its_wakes_to_the_heads_time(ledger: SendLedger) -> None:
    await ledger.enqueue([command("a"), command("b")], NOW)
    await ledger.hold(CHAT.key, NOW_MS + 3_600_000)
    assert await ledger.due(NOW_MS + 3_599_000) == []
    assert len(await ledger.due(NOW_MS + 3_600_000)) == 2


async def test_a_reconnected_channel_wakes_its_waiting_heads(ledger: SendLedger) -> None:
    await ledger.enqueue([command()], NOW)
    record = await claimed(ledger)
    await ledger.retry_later(record.id, "p1", Retry(at_ms=NOW_MS + 60_000, attempts=0,
                                                    ambiguous_since_ms=None),
                             "CHANNEL_NOT_ACTIVE", "disconnected")
    assert await ledger.wake_channel("other-channel", NOW_MS) == 0
    assert await ledger.wake_channel("ch", NOW_MS) == 1
    again = await ledger.get(record.id)
    assert again is not None and claim_of(again, "p2", NOW_MS) is not None
    assert [r.id for r in await ledger.due(NOW_MS)] == [record.id]


async def test_a_failed_send_requeued_goes_to_the_end_of_its_chat(ledger: SendLedger) -> None:
    await ledger.enqueue([command("a"), command("b")], NOW)
    await claimed(ledger)
    await ledger.mark_failed("a", "CHANNEL_BLOCKED", "blocked", NOW)
    assert not await ledger.requeue(command("b"), NOW)  # only a failed one
    assert await ledger.requeue(command("a"), NOW)

    order = []
    while (head := await ledger.head(CHAT.key)) is not None:
        order.append(head.id)
        await ledger.mark_sent(head.id, None, NOW)
    assert order == ["b", "a"]
    again = await ledger.get("a")
    assert again is not None and (again.failure, again.replays) == (None, 1)


async def test_a_comments_sends_are_found_by_comment(ledger: SendLedger) -> None:
    await ledger.enqueue([command("a", part=0), command("b", part=1),
                          command("x", comment_id="c2")], NOW)
    assert sorted(r.id for r in await ledger.of_comment("c1")) == ["a", "b"]


async def test_concurrent_deciders_get_distinct_sequence_numbers(db: Any) -> None:
    ledger = MongoSendLedger(db)
    await asyncio.gather(*(ledger.enqueue([command(f"s{i}")], NOW) for i in range(20)))
    seqs = [(await ledger.get(f"s{i}")).seq for i in range(20)]  # type: ignore[union-attr]
    assert sorted(seqs) == list(range(1, 21))


async def test_a_send_recorded_before_queues_existed_reads_as_open_in_no_queue(db: Any) -> None:
    await db.sends.insert_one({"_id": "old", "state": "sending", "task_id": "t1",
                               "comment_id": "c1", "created_at": NOW - timedelta(days=1)})
    record = await sends.get(db, "old")
    assert record is not None and record.open and record.chat_key == ""
    assert await sends.requeue(db, command("old"), NOW)
    assert (await sends.head(db, CHAT.key)).id == "old"  # type: ignore[union-attr]


async def test_a_place_kept_for_a_text_is_filled_in_place_or_steps_aside(
    ledger: SendLedger,
) -> None:
    place = msgspec.structs.replace(command("s1", comment_id="c-lookup"), text="",
                                    awaits_text=True)
    await ledger.enqueue([place, command("s2")], NOW)
    head = await ledger.head(CHAT.key)
    assert head is not None and head.id == "s1" and head.awaits_text_until_ms > NOW_MS
    assert claim_of(head, "p1", NOW_MS) is None  # nothing is sent while it waits

    filled = msgspec.structs.replace(place, text="Заявка 42: в работе", awaits_text=False)
    assert await ledger.fill(filled) and not await ledger.fill(filled)
    head = await ledger.head(CHAT.key)
    assert head is not None and (head.id, head.awaits_text_until_ms) == ("s1", 0)
    assert events.decode(head.command) == filled
    assert not await ledger.step_aside("s1")  # it has its text: it stays

    other = msgspec.structs.replace(place, id="s3", comment_id="c-other")
    await ledger.enqueue([other], NOW)
    assert await ledger.step_aside("s3")
    record = await ledger.get("s3")
    assert record is not None and (record.state, record.unreported) == ("failed", None)
    assert [r.id for r in await ledger.first(CHAT.key, 5)] == ["s1", "s2"]
    assert await ledger.requeue(msgspec.structs.replace(other, text="late", awaits_text=False),
                                NOW)
    assert [r.id for r in await ledger.first(CHAT.key, 5)] == ["s1", "s2", "s3"]


async def test_claim_next_takes_only_an_untouched_send_at_its_own_place(
        ledger: SendLedger) -> None:
    places = await ledger.enqueue([command("a"), command("b")], NOW)
    taken = Claim(owner="p1", until_ms=NOW_MS + 10_000, interrupted=False,
                  ambiguous_since_ms=None)
    wake_b = msgspec.structs.replace(command("b"), seq=places["b"])
    assert await ledger.claim_next(msgspec.structs.replace(wake_b, seq=places["a"]),
                                   taken, NOW_MS) is None  # not at its place
    got = await ledger.claim_next(wake_b, taken, NOW_MS)
    assert got is not None and (got.id, got.lease_owner, got.claimed_ms) == ("b", "p1", NOW_MS)
    assert await ledger.claim_next(wake_b, taken, NOW_MS) is None  # leased now
    await ledger.mark_sent("b", "gw-b", NOW)
    assert await ledger.claim_next(wake_b, taken, NOW_MS) is None  # settled
