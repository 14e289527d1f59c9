"""outbound-sender's send handler against fakes: the lease, resends, replays and failure reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.outbound_sender.handlers import (
    FAILURE_REPORTS,
    HANDLERS,
    dispatch,
    report_failure,
    send,
)
from shared import events
from shared.bus import Topology, routing_key_of
from shared.domain.sends import LEASE_S
from shared.errors import PermanentError, RetryableError
from tests.fakes.outbound_sender import FakeSender, replaying

CHAT = events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                      chat_id="79011112233", connection="wazzup")


def command(send_id: str = "send-1") -> events.SendMessage:
    return events.SendMessage(id=send_id, correlation_id="corr-1",
                              occurred_at=datetime(2025, 6, 2, 12, 0, tzinfo=UTC), chat=CHAT,
                              task_id="t1", comment_id="c1", text="Hello")


def succeeded(sender: FakeSender) -> list[events.SendSucceeded]:
    return sender.bus.of_type(events.SendSucceeded)


async def test_a_send_goes_to_the_gateway_once_and_reports_send_succeeded() -> None:
    sender = FakeSender()
    await send(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    assert sender.gateway.calls[0].request.json["text"] == "Hello"  # type: ignore[index]
    [reported] = succeeded(sender)
    assert (reported.send_id, reported.gateway_message_id) == ("send-1", "gw-1")
    assert sender.sends.records["send-1"].state == "sent"


async def test_a_redelivered_copy_of_a_sent_send_reports_again_without_calling_the_gateway(
) -> None:
    sender = FakeSender()
    await send(sender.deps, command())
    await send(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    assert [m.gateway_message_id for m in succeeded(sender)] == ["gw-1", "gw-1"]


async def test_a_copy_arriving_while_another_consumer_holds_the_lease_waits() -> None:
    sender = FakeSender()
    await sender.sends.begin(command(), events.utcnow(), "other-consumer")

    with pytest.raises(RetryableError) as caught:
        await send(sender.deps, command())
    assert caught.value.code == "SEND_LEASED"
    assert sender.gateway.calls == []
    assert sender.bus.published == []


async def test_an_expired_lease_is_taken_over_and_the_send_goes_out() -> None:
    sender = FakeSender()
    long_ago = events.utcnow() - timedelta(seconds=LEASE_S + 1)
    await sender.sends.begin(command(), long_ago, "consumer-that-died")

    await send(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    assert len(succeeded(sender)) == 1


async def test_a_retryable_gateway_failure_releases_the_lease_for_any_consumer() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(503, {"error": "SERVICE_UNAVAILABLE"})

    with pytest.raises(RetryableError):
        await send(sender.deps, command())

    record = await sender.sends.begin(command(), events.utcnow(), "another-consumer")
    assert record.state == "sending"
    assert sender.bus.published == []


async def test_a_failed_send_is_refused_without_calling_the_gateway() -> None:
    sender = FakeSender()
    await sender.sends.begin(command(), events.utcnow(), "this-consumer")
    await sender.sends.mark_failed("send-1", "400: bad phone")

    with pytest.raises(PermanentError) as caught:
        await send(sender.deps, command())
    assert caught.value.code == "FAILED_BEFORE"
    assert sender.gateway.calls == []


async def test_a_replayed_failed_send_is_reopened_and_sent() -> None:
    sender = FakeSender()
    await sender.sends.begin(command(), events.utcnow(), "this-consumer")
    await sender.sends.mark_failed("send-1", "400: bad phone")

    with replaying():
        await send(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    record = sender.sends.records["send-1"]
    assert (record.state, record.failure) == ("sent", None)
    [reported] = succeeded(sender)
    assert reported.replayed


async def test_a_channel_not_active_waits_before_any_gateway_call() -> None:
    sender = FakeSender()
    sender.channel_lookup.states["ch-1"] = "disconnected"

    with pytest.raises(RetryableError) as caught:
        await send(sender.deps, command())
    assert caught.value.code == "CHANNEL_NOT_ACTIVE"
    assert sender.gateway.calls == []


async def test_a_channel_state_learned_from_an_event_is_used_without_a_lookup() -> None:
    sender = FakeSender()
    sender.channel_lookup.states["ch-1"] = "disconnected"
    sender.deps.channel_states.learn("ch-1", "active")

    await send(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    assert sender.channel_lookup.lookups == 0


async def test_a_final_failure_marks_the_send_failed_and_reports_it_final() -> None:
    sender = FakeSender()
    await sender.sends.begin(command(), events.utcnow(), "this-consumer")
    error = PermanentError("phone is not on WhatsApp", code="BAD_PHONE")

    await report_failure(FAILURE_REPORTS, sender.deps, command(), error, None)

    assert sender.sends.records["send-1"].state == "failed"
    [reported] = sender.bus.of_type(events.SendFailed)
    assert (reported.send_id, reported.code, reported.final) == ("send-1", "BAD_PHONE", True)


async def test_a_failure_to_be_retried_is_reported_waiting_and_leaves_the_send_open() -> None:
    sender = FakeSender()
    await sender.sends.begin(command(), events.utcnow(), "this-consumer")
    retry_at = events.utcnow() + timedelta(seconds=30)

    await report_failure(FAILURE_REPORTS, sender.deps, command(),
                         RetryableError("gateway busy", code="HTTP_503"), retry_at)

    assert sender.sends.records["send-1"].state == "sending"
    [reported] = sender.bus.of_type(events.SendFailed)
    assert (reported.final, reported.retry_at) == (False, retry_at)


async def test_dispatch_hands_a_send_command_to_the_send_handler() -> None:
    sender = FakeSender()
    await dispatch(HANDLERS, sender.deps, command())
    assert len(succeeded(sender)) == 1


async def test_dispatch_refuses_a_message_without_a_handler() -> None:
    sender = FakeSender()
    stray = events.ScenariosChanged(id="x", correlation_id="x", occurred_at=events.utcnow(),
                                   version=1)
    with pytest.raises(PermanentError, match="no handler"):
        await dispatch(HANDLERS, sender.deps, stray)


def test_every_message_bound_to_outbound_sender_queues_has_a_handler() -> None:
    handled = {routing_key_of(kind) for kind in HANDLERS}
    bound = {key.rstrip("0123456789").rstrip(".")
             for spec in Topology("wa", 2).queues_of("outbound_sender")
             for key in spec.bindings}
    assert bound <= handled
