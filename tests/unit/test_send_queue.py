"""Deciding a send queues it in its chat's send queue first; the bus only wakes the sender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared import events
from shared.errors import RetryableError
from shared.send_queue import QueueingPublisher
from tests.fakes.outbound_sender import FakePublisher, FakeSendLedger

CHAT = events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                      chat_id="79011112233")
AT = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def send(send_id: str) -> events.SendMessage:
    return events.SendMessage(id=send_id, correlation_id="c", occurred_at=AT, chat=CHAT,
                              task_id="t1", comment_id="c1", text=send_id)


def comment() -> events.SetTaskStatus:
    return events.SetTaskStatus(id="st", correlation_id="c", occurred_at=AT, task_id="t1",
                                status="closed")


async def test_sends_are_queued_in_order_then_woken_after_the_other_messages() -> None:
    bus, queue = FakePublisher(), FakeSendLedger()
    await QueueingPublisher(bus, queue).publish_all([send("a"), comment(), send("b")])

    head = await queue.head(CHAT.key)
    assert head is not None and head.id == "a"
    assert [m.id for m in bus.published] == ["st", "a", "b"]


async def test_sends_are_queued_before_the_other_messages_are_published() -> None:
    bus, queue = FakePublisher(), FakeSendLedger()
    bus.fail_next = RetryableError("broker away", code="BUS_UNAVAILABLE")

    with pytest.raises(RetryableError):  # the records did not go: the caller tries again
        await QueueingPublisher(bus, queue).publish_all([comment(), send("a")])

    assert queue.records["a"].state == "queued"  # and keeps its place when it does


async def test_a_wake_the_broker_did_not_confirm_is_no_failure() -> None:
    bus, queue = FakePublisher(), FakeSendLedger()
    publisher = QueueingPublisher(bus, queue)
    bus.fail_next = RetryableError("broker away", code="BUS_UNAVAILABLE")

    await publisher.publish(send("a"))  # the sender's timer wakes it

    assert queue.records["a"].state == "queued"


async def test_a_send_that_could_not_be_queued_is_a_failure_for_the_caller() -> None:
    class Down(FakeSendLedger):
        async def enqueue(self, commands: object, now: datetime) -> dict[str, int]:
            raise RetryableError("database away", code="DB_UNAVAILABLE")

    bus = FakePublisher()
    with pytest.raises(RetryableError):
        await QueueingPublisher(bus, Down()).publish(send("a"))
    assert bus.published == []


async def test_each_wake_carries_its_sends_place_and_a_send_queued_before_none() -> None:
    bus, queue = FakePublisher(), FakeSendLedger()
    publisher = QueueingPublisher(bus, queue)
    await publisher.publish_all([send("a"), send("b")])
    await publisher.publish_all([send("b"), send("c")])  # "b" keeps its place: no new one
    assert [(m.id, getattr(m, "seq", None)) for m in bus.published] == [
        ("a", 1), ("b", 2), ("b", 0), ("c", 4)]
