"""Send records on MongoDB (or the stand-in): idempotent begin, then sent or failed; the
in-memory fake ledger is held to the same contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.outbound_sender.ports import SendLedger
from shared import events
from shared.errors import RetryableError
from shared.store import sends
from shared.store.sends import MongoSendLedger
from tests.fakes.outbound_sender import FakeSendLedger

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


def command(send_id: str = "send-1") -> events.SendMessage:
    chat = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                          chat_id="79011112233")
    return events.SendMessage(id=send_id, correlation_id="corr", occurred_at=NOW, chat=chat,
                              task_id="t1", comment_id="c1", text="hello")


async def test_first_begin_records_the_send_as_sending(db: Any) -> None:
    record = await sends.begin(db, command(), NOW, "p1")
    assert record == sends.SendRecord(id="send-1", state="sending", task_id="t1",
                                      comment_id="c1", created_at=NOW)
    assert await db.sends.count_documents({}) == 1


async def test_begin_again_reports_the_stored_record_and_stores_one(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    again = await sends.begin(db, command(), LATER, "p1")

    assert (again.state, again.created_at) == ("sending", NOW)
    assert await db.sends.count_documents({}) == 1


async def test_begin_after_mark_sent_reports_sent_with_the_gateway_id(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    await sends.mark_sent(db, "send-1", "gw-1", LATER)

    again = await sends.begin(db, command(), LATER, "p1")
    assert (again.state, again.gateway_message_id) == ("sent", "gw-1")
    assert again.sent_at is not None


async def test_mark_sent_without_gateway_id_leaves_it_absent(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    await sends.mark_sent(db, "send-1", None, LATER)
    again = await sends.begin(db, command(), LATER, "p1")
    assert (again.state, again.gateway_message_id) == ("sent", None)


async def test_mark_failed_records_the_reason(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    await sends.mark_failed(db, "send-1", "gateway refused: 400 bad phone")

    again = await sends.begin(db, command(), LATER, "p1")
    assert (again.state, again.failure) == ("failed", "gateway refused: 400 bad phone")


async def test_mark_failed_after_sent_does_not_undo_the_send(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    await sends.mark_sent(db, "send-1", "gw-1", LATER)
    await sends.mark_failed(db, "send-1", "late failure")

    again = await sends.begin(db, command(), LATER, "p1")
    assert (again.state, again.failure) == ("sent", None)


async def test_sends_are_recorded_independently(db: Any) -> None:
    await sends.begin(db, command("send-1"), NOW, "p1")
    await sends.mark_sent(db, "send-1", "gw-1", LATER)
    second = await sends.begin(db, command("send-2"), LATER, "p1")
    assert second.state == "sending"


async def test_a_send_another_consumer_is_attempting_is_not_taken(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    with pytest.raises(RetryableError, match="another consumer"):
        await sends.begin(db, command(), NOW + timedelta(seconds=5), "p2")


async def test_a_released_or_expired_lease_lets_another_consumer_try(db: Any) -> None:
    await sends.begin(db, command(), NOW, "p1")
    await sends.release(db, command().id, "p1")
    assert (await sends.begin(db, command(), NOW, "p2")).state == "sending"
    later = NOW + timedelta(seconds=sends.LEASE_S + 1)  # p2 died holding it
    assert (await sends.begin(db, command(), later, "p3")).state == "sending"


# ---- the SendLedger contract: the Mongo ledger and the in-memory fake behave the same ---------


@pytest.fixture(params=["mongo", "fake"])
def ledger(request: pytest.FixtureRequest, db: Any) -> SendLedger:
    return MongoSendLedger(db) if request.param == "mongo" else FakeSendLedger()


async def test_ledger_lets_the_lease_holder_claim_its_send_again(ledger: SendLedger) -> None:
    await ledger.begin(command(), NOW, "p1")
    again = await ledger.begin(command(), NOW + timedelta(seconds=5), "p1")
    assert (again.state, again.created_at) == ("sending", NOW)


async def test_ledger_keeps_a_held_lease_from_another_consumer(ledger: SendLedger) -> None:
    await ledger.begin(command(), NOW, "p1")
    with pytest.raises(RetryableError) as caught:
        await ledger.begin(command(), NOW + timedelta(seconds=sends.LEASE_S - 1), "p2")
    assert caught.value.code == "SEND_LEASED"


async def test_ledger_hands_an_expired_lease_to_another_consumer(ledger: SendLedger) -> None:
    await ledger.begin(command(), NOW, "p1")
    later = NOW + timedelta(seconds=sends.LEASE_S + 1)
    assert (await ledger.begin(command(), later, "p2")).state == "sending"
    with pytest.raises(RetryableError):  # p2 holds it now
        await ledger.begin(command(), later, "p1")


async def test_ledger_release_by_another_consumer_keeps_the_lease(ledger: SendLedger) -> None:
    await ledger.begin(command(), NOW, "p1")
    await ledger.release(command().id, "p2")
    with pytest.raises(RetryableError):
        await ledger.begin(command(), NOW, "p2")


async def test_ledger_reports_a_sent_send_to_any_consumer(ledger: SendLedger) -> None:
    await ledger.begin(command(), NOW, "p1")
    await ledger.mark_sent(command().id, "gw-1", NOW)
    again = await ledger.begin(command(), NOW, "p2")
    assert (again.state, again.gateway_message_id) == ("sent", "gw-1")


async def test_ledger_reopens_only_a_failed_send_and_clears_its_failure(
    ledger: SendLedger,
) -> None:
    await ledger.begin(command(), NOW, "p1")
    await ledger.mark_failed(command().id, "400: bad phone")
    await ledger.reopen(command().id)
    again = await ledger.begin(command(), NOW, "p1")
    assert (again.state, again.failure) == ("sending", None)

    await ledger.mark_sent(command().id, "gw-1", NOW)
    await ledger.reopen(command().id)
    assert (await ledger.begin(command(), NOW, "p1")).state == "sent"
