"""outbound-sender's send queue against fakes: a chat's head only, in order, whatever fails;
leases, crashes, replays, the timer and the reports."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from services.outbound_sender.handlers import HANDLERS, dispatch
from services.outbound_sender.sending import on_wake
from services.outbound_sender.waker import channel_changed, wake_due
from shared import events
from shared.bus import Topology, routing_key_of
from shared.domain.sends import LEASE_S, NEVER, epoch_ms
from shared.errors import PermanentError, RetryableError
from tests.fakes.outbound_sender import FakeSender, replaying

CHAT = events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                      chat_id="79011112233", connection="wazzup")
OTHER_CHAT = msgspec.structs.replace(CHAT, chat_id="79015556677")


def command(send_id: str = "send-1", chat: events.ChatRef = CHAT, text: str = "Hello",
            comment_id: str = "c1") -> events.SendMessage:
    return events.SendMessage(id=send_id, correlation_id="corr-1",
                              occurred_at=datetime(2025, 6, 2, 12, 0, tzinfo=UTC), chat=chat,
                              task_id="t1", comment_id=comment_id, text=text)


def succeeded(sender: FakeSender) -> list[events.SendSucceeded]:
    return sender.bus.of_type(events.SendSucceeded)


def texts(sender: FakeSender) -> list[str]:
    return [str(c.request.json["text"]) for c in sender.gateway.calls  # type: ignore[index]
            if c.request.json]


async def queued(sender: FakeSender, *commands: events.SendMessage) -> None:
    await sender.sends.enqueue(list(commands), events.utcnow())


def make_due(sender: FakeSender, send_id: str) -> None:
    """Time passes: the send's retry time and lease are over."""
    record = sender.sends.records[send_id]
    sender.sends.records[send_id] = msgspec.structs.replace(
        record, retry_at_ms=min(record.retry_at_ms, 1), lease_until=min(record.lease_until, 1))


async def test_a_woken_send_goes_to_the_gateway_once_and_its_result_is_reported() -> None:
    sender = FakeSender()
    await queued(sender, command())
    await on_wake(sender.deps, command())

    assert texts(sender) == ["Hello"]
    [reported] = succeeded(sender)
    assert (reported.send_id, reported.gateway_message_id) == ("send-1", "gw-1")
    record = sender.sends.records["send-1"]
    assert (record.state, record.unreported) == ("sent", 1)  # noted with others a moment later
    await sender.deps.report_marks.write(sender.sends)
    assert sender.sends.records["send-1"].unreported is None


async def test_report_marks_that_could_not_be_written_are_kept_for_the_next_write() -> None:
    sender = FakeSender()
    await queued(sender, command("s1"), command("s2"))
    await on_wake(sender.deps, command("s1"))
    assert sender.deps.report_marks.ids == ["s1", "s2"]

    async def away(send_ids: object) -> None:
        raise RetryableError("database away", code="DB_UNAVAILABLE")

    real, sender.sends.mark_reported = sender.sends.mark_reported, away  # type: ignore[method-assign]
    with pytest.raises(RetryableError):
        await sender.deps.report_marks.write(sender.sends)
    assert sender.deps.report_marks.ids == ["s1", "s2"]
    assert sender.deps.report_marks.has_items.is_set()

    sender.sends.mark_reported = real  # type: ignore[method-assign]
    await sender.deps.report_marks.write(sender.sends)
    assert [sender.sends.records[s].unreported for s in ("s1", "s2")] == [None, None]
    assert not sender.deps.report_marks.has_items.is_set()


async def test_a_chats_sends_go_in_queue_order_whichever_wake_comes_first() -> None:
    sender = FakeSender()
    first, second = command("s1", text="first"), command("s2", text="second")
    await queued(sender, first, second)

    await on_wake(sender.deps, second)
    await on_wake(sender.deps, first)

    assert texts(sender) == ["first", "second"]


async def test_a_later_send_never_overtakes_a_head_waiting_for_its_retry() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(503, {"error": "SERVICE_UNAVAILABLE"})
    await queued(sender, command("s1", text="first"), command("s2", text="second"))

    await on_wake(sender.deps, command("s2", text="second"))
    assert texts(sender) == ["first"]  # the head failed; the second stays behind it
    [waiting] = sender.bus.of_type(events.SendFailed)
    assert (waiting.send_id, waiting.final) == ("s1", False)
    await on_wake(sender.deps, command("s2", text="second"))
    assert texts(sender) == ["first"]

    make_due(sender, "s1")
    await on_wake(sender.deps, command("s2", text="second"))
    assert texts(sender) == ["first", "first", "second"]
    assert [s.send_id for s in succeeded(sender)] == ["s1", "s2"]


async def test_a_head_that_fails_for_good_is_dead_lettered_and_releases_the_next() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(400, {"error": "BAD_CONTACT", "description": "No account"})
    await queued(sender, command("s1", text="first"), command("s2", text="second"))

    await on_wake(sender.deps, command("s1"))

    assert texts(sender) == ["first", "second"]
    [failed] = sender.bus.of_type(events.SendFailed)
    assert (failed.send_id, failed.final, failed.code) == ("s1", True, "BAD_CONTACT")
    assert sender.dead_letters.put_aside == [("s1", "BAD_CONTACT", 1)]
    assert [s.send_id for s in succeeded(sender)] == ["s2"]


async def test_one_chats_waiting_head_does_not_hold_another_chat() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(429, {"error": "TOO_MANY"}, {"Retry-After": "60"})
    await queued(sender, command("a1", text="a"), command("b1", chat=OTHER_CHAT, text="b"))

    await on_wake(sender.deps, command("a1"))
    await on_wake(sender.deps, command("b1", chat=OTHER_CHAT))

    assert texts(sender) == ["a", "b"]
    assert sender.sends.records["a1"].state == "queued"
    assert sender.sends.records["b1"].state == "sent"


async def test_a_redelivered_wake_of_a_sent_send_calls_and_reports_nothing() -> None:
    sender = FakeSender()
    await queued(sender, command())
    await on_wake(sender.deps, command())
    await on_wake(sender.deps, command())

    assert len(sender.gateway.calls) == 1
    assert len(succeeded(sender)) == 1


async def test_a_result_whose_event_was_not_confirmed_is_reported_on_the_next_wake() -> None:
    sender = FakeSender()
    await queued(sender, command())
    sender.bus.fail_next = RetryableError("broker away", code="BUS_UNAVAILABLE")
    with pytest.raises(RetryableError):
        await on_wake(sender.deps, command())
    assert sender.sends.records["send-1"].unreported == 1

    assert await wake_due(sender.deps) == 0  # not due for a few seconds
    sender.sends.due_ms["send-1"] = 0
    assert await wake_due(sender.deps) == 1
    [wake] = sender.bus.of_type(events.SendMessage)
    await on_wake(sender.deps, wake)

    assert len(sender.gateway.calls) == 1
    assert [s.send_id for s in succeeded(sender)] == ["send-1"]
    await sender.deps.report_marks.write(sender.sends)
    assert sender.sends.records["send-1"].unreported is None


async def test_a_head_a_live_holder_attempts_is_left_alone_and_the_chat_held() -> None:
    sender = FakeSender()
    await queued(sender, command("s1"), command("s2"))
    head = sender.sends.records["s1"]
    sender.sends.records["s1"] = msgspec.structs.replace(
        head, lease_owner="other", lease_until=epoch_ms(events.utcnow()) + LEASE_S * 1000)

    await on_wake(sender.deps, command("s2"))

    assert sender.gateway.calls == []
    assert sender.sends.due_ms["s2"] >= sender.sends.records["s1"].lease_until


async def test_a_send_whose_holder_died_is_retried_soon_and_counted_interrupted() -> None:
    sender = FakeSender()
    await queued(sender, command())
    now = epoch_ms(events.utcnow())
    sender.sends.records["send-1"] = msgspec.structs.replace(
        sender.sends.records["send-1"], lease_owner="dead", lease_until=now - 1,
        claimed_ms=now - LEASE_S * 1000)

    await on_wake(sender.deps, command())

    record = sender.sends.records["send-1"]
    assert (record.state, record.interrupted) == ("sent", 1)
    assert len(sender.gateway.calls) == 1


async def test_an_interrupted_wazzup_send_past_its_duplicate_window_is_settled_unknown() -> None:
    sender = FakeSender()
    await queued(sender, command())
    long_ago = epoch_ms(events.utcnow()) - 120_000
    sender.sends.records["send-1"] = msgspec.structs.replace(
        sender.sends.records["send-1"], lease_owner="dead", lease_until=long_ago + LEASE_S,
        claimed_ms=long_ago)

    await on_wake(sender.deps, command())

    assert sender.gateway.calls == []  # a second copy could reach the customer
    [failed] = sender.bus.of_type(events.SendFailed)
    assert (failed.code, failed.final) == (NEVER, True)


async def test_a_gateway_timeout_is_retried_within_seconds_inside_the_window() -> None:
    sender = FakeSender()
    sender.gateway.will_raise(RetryableError("no answer", code="GATEWAY_TIMEOUT"))
    await queued(sender, command())

    await on_wake(sender.deps, command())

    record = sender.sends.records["send-1"]
    assert record.ambiguous_since_ms is not None
    assert record.retry_at_ms - epoch_ms(events.utcnow()) <= 2_000


async def test_a_send_to_a_disconnected_number_waits_uncounted_and_goes_on_reconnect() -> None:
    sender = FakeSender()
    sender.channel_lookup.states["ch-1"] = "phoneUnavailable"
    await queued(sender, command())

    await on_wake(sender.deps, command())
    assert sender.gateway.calls == []
    record = sender.sends.records["send-1"]
    assert (record.attempts, record.last_code) == (0, "CHANNEL_NOT_ACTIVE")

    await channel_changed(sender.deps, events.ChannelUpdated(
        id="u", correlation_id="u", occurred_at=events.utcnow(), provider="wazzup",
        channel_id="ch-1", state="active"))
    assert await wake_due(sender.deps) == 1
    [wake] = sender.bus.of_type(events.SendMessage)
    await on_wake(sender.deps, wake)
    assert len(sender.gateway.calls) == 1


async def test_retries_give_up_at_the_attempt_limit_and_the_comment_shows_it() -> None:
    sender = FakeSender()
    for _ in range(5):
        sender.gateway.will_answer(500, {"error": "INTERNAL"})
    await queued(sender, command())

    for _ in range(5):
        await on_wake(sender.deps, command())
        make_due(sender, "send-1")

    assert len(sender.gateway.calls) == 5
    final = [f for f in sender.bus.of_type(events.SendFailed) if f.final]
    assert [f.send_id for f in final] == ["send-1"]
    assert sender.sends.records["send-1"].state == "failed"


async def test_a_replayed_failed_send_goes_again_at_the_end_of_its_chat() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(400, {"error": "CHANNEL_BLOCKED"})
    await queued(sender, command("s1", text="first"))
    await on_wake(sender.deps, command("s1"))
    await queued(sender, command("s2", text="second", comment_id="c2"))

    with replaying():
        await on_wake(sender.deps, command("s1", text="first"))

    assert texts(sender) == ["first", "second", "first"]
    assert [(s.send_id, s.replayed) for s in succeeded(sender)] == [("s2", False), ("s1", True)]


async def test_replaying_a_send_whose_comment_was_resent_since_sends_nothing() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(400, {"error": "CHANNEL_BLOCKED"})
    await queued(sender, command("s1"))
    await on_wake(sender.deps, command("s1"))
    resend = command("s1-resend")  # the same comment, a new attempt
    await queued(sender, resend)
    await on_wake(sender.deps, resend)

    with replaying():
        await on_wake(sender.deps, command("s1"))

    assert len(sender.gateway.calls) == 2
    assert sender.sends.records["s1"].state == "failed"


async def test_replaying_a_send_that_was_sent_sends_nothing() -> None:
    sender = FakeSender()
    await queued(sender, command())
    await on_wake(sender.deps, command())

    with replaying():
        await on_wake(sender.deps, command())

    assert len(sender.gateway.calls) == 1


async def test_a_wake_for_a_send_nobody_queued_queues_and_sends_it() -> None:
    sender = FakeSender()
    await on_wake(sender.deps, command())
    assert texts(sender) == ["Hello"]


async def test_the_timer_wakes_each_due_chat_once() -> None:
    sender = FakeSender()
    await queued(sender, command("s1"), command("s2"), command("b1", chat=OTHER_CHAT))
    for send_id in ("s1", "s2", "b1"):
        sender.sends.due_ms[send_id] = 0

    assert await wake_due(sender.deps) == 2
    assert await wake_due(sender.deps) == 0  # moved on: a lost wake comes again later
    woken = sender.bus.of_type(events.SendMessage)
    assert sorted(w.id for w in woken) == ["b1", "s1"]


def question(send_id: str = "send-1") -> events.SendMessage:
    """task-sync's reconciliation asking what became of a send."""
    return msgspec.structs.replace(command(send_id), reconcile=True)


async def test_asked_about_a_send_never_queued_it_answers_failed_and_queues_nothing() -> None:
    sender = FakeSender()
    await on_wake(sender.deps, question())

    [answer] = sender.bus.of_type(events.SendFailed)
    assert (answer.code, answer.final) == ("SEND_UNKNOWN", True)
    assert sender.sends.records == {}
    assert sender.gateway.calls == []


async def test_asked_about_a_sent_send_it_reports_the_result_again() -> None:
    sender = FakeSender()
    await queued(sender, command())
    await on_wake(sender.deps, command())

    await on_wake(sender.deps, question())

    assert [s.gateway_message_id for s in succeeded(sender)] == ["gw-1", "gw-1"]
    assert len(sender.gateway.calls) == 1


async def test_asked_about_a_waiting_send_it_says_why_and_until_when() -> None:
    sender = FakeSender()
    sender.gateway.will_answer(429, {"error": "TOO_MANY"}, {"Retry-After": "60"})
    await queued(sender, command())
    await on_wake(sender.deps, command())

    await on_wake(sender.deps, question())

    answers = sender.bus.of_type(events.SendFailed)
    assert [(a.final, a.retry_at is not None) for a in answers] == [(False, True)] * 2
    assert len(sender.gateway.calls) == 1


async def test_dispatch_hands_a_send_command_to_the_send_queue() -> None:
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


async def test_the_usual_wake_reads_the_queue_once_and_a_burst_once_per_send() -> None:
    """The woken send is the head: one read finds it and that nothing follows; a burst of
    two reads once more for the second and stops after it (its own wake finds it sent)."""
    sender = FakeSender()
    await queued(sender, command())
    await on_wake(sender.deps, command())
    assert (texts(sender), sender.sends.reads) == (["Hello"], 1)

    second, third = command("send-2", text="two"), command("send-3", text="three")
    await queued(sender, second, third)
    sender.sends.reads = 0
    await on_wake(sender.deps, second)
    assert (texts(sender)[1:], sender.sends.reads) == (["two", "three"], 2)
    await on_wake(sender.deps, third)  # already sent by the first wake: nothing again
    assert texts(sender)[1:] == ["two", "three"]
    assert [s.send_id for s in succeeded(sender)] == ["send-1", "send-2", "send-3"]


def awaiting(send_id: str = "lookup-1") -> events.SendMessage:
    """The place bot-router keeps for a status look-up's answer."""
    return msgspec.structs.replace(command(send_id, text="", comment_id="c-lookup"),
                                   awaits_text=True)


async def test_a_place_kept_for_a_look_ups_answer_holds_the_chat_until_its_text_comes() -> None:
    sender = FakeSender()
    later = command("s2", text="the bot's next answer")
    await queued(sender, awaiting(), later)
    await on_wake(sender.deps, awaiting())
    await on_wake(sender.deps, later)
    assert sender.gateway.calls == []
    assert sender.sends.due_ms["s2"] >= sender.sends.records["lookup-1"].awaits_text_until_ms

    answer = command("lookup-1", text="Заявка 42: в работе", comment_id="c-lookup")
    await sender.sends.enqueue([answer], events.utcnow())  # task-sync queues it: keeps its place
    await on_wake(sender.deps, answer)

    assert texts(sender) == ["Заявка 42: в работе", "the bot's next answer"]
    assert [s.send_id for s in succeeded(sender)] == ["lookup-1", "s2"]


async def test_a_place_whose_text_does_not_come_in_time_steps_aside_and_the_text_goes_last(
) -> None:
    sender = FakeSender()
    later = command("s2", text="the bot's next answer")
    await queued(sender, awaiting(), later)
    place = sender.sends.records["lookup-1"]
    sender.sends.records["lookup-1"] = msgspec.structs.replace(place, awaits_text_until_ms=1)

    await on_wake(sender.deps, later)
    assert texts(sender) == ["the bot's next answer"]
    assert sender.bus.of_type(events.SendFailed) == []  # nothing was sent: nothing to report

    answer = command("lookup-1", text="Заявка 42: в работе", comment_id="c-lookup")
    await on_wake(sender.deps, answer)
    assert texts(sender) == ["the bot's next answer", "Заявка 42: в работе"]
    assert sender.sends.records["lookup-1"].state == "sent"

