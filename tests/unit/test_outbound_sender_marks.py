"""outbound-sender's queue marks against fakes: a wake at the place after the send this process
settled takes its send without reading the queue; any other wake reads it, and order holds."""

from __future__ import annotations

import msgspec

from services.outbound_sender.sending import on_wake
from shared import events
from shared.domain.sends import epoch_ms
from tests.fakes.outbound_sender import FakeSender
from tests.unit.test_outbound_sender_send import CHAT, command, make_due, succeeded, texts


async def placed(sender: FakeSender, *commands: events.SendMessage
                 ) -> list[events.SendMessage]:
    """Queued as a decider queues them; the wakes it publishes, each carrying its place."""
    places = await sender.sends.enqueue(list(commands), events.utcnow())
    return [msgspec.structs.replace(c, seq=places[c.id]) for c in commands]


async def test_a_wake_for_the_send_after_one_settled_here_takes_it_without_reading() -> None:
    """The first wake of a chat reads its queue; from then on each wake carries its place, and
    the send right after the one this process settled is taken by one conditional claim."""
    sender = FakeSender()
    [first] = await placed(sender, command("s1", text="one"))
    await on_wake(sender.deps, first)
    assert sender.sends.reads == 1
    for n in (2, 3, 4):
        [wake] = await placed(sender, command(f"s{n}", text=f"{n}"))
        await on_wake(sender.deps, wake)
    assert (texts(sender), sender.sends.reads) == (["one", "2", "3", "4"], 1)
    assert [s.send_id for s in succeeded(sender)] == ["s1", "s2", "s3", "s4"]


async def test_a_wake_at_the_mark_whose_send_was_touched_reads_the_queue_and_keeps_order(
) -> None:
    """Another replica settled the chat's next send meanwhile, and the one after waits for a
    retry: the marks here are behind, so nothing is sent twice or out of turn."""
    sender = FakeSender()
    [first] = await placed(sender, command("s1", text="one"))
    await on_wake(sender.deps, first)
    second, third = await placed(sender, command("s2", text="two"), command("s3", text="three"))
    record = sender.sends.records["s2"]
    sender.sends.records["s2"] = msgspec.structs.replace(record, state="sent")  # elsewhere
    sender.sends.records["s3"] = msgspec.structs.replace(
        sender.sends.records["s3"], retry_at_ms=epoch_ms(events.utcnow()) + 60_000, attempts=1)

    await on_wake(sender.deps, second)  # at the mark, but no longer untouched
    await on_wake(sender.deps, third)  # not at the mark: reads; its retry has not come
    assert texts(sender) == ["one"]
    make_due(sender, "s3")
    await on_wake(sender.deps, third)
    assert texts(sender) == ["one", "three"]


async def test_a_place_nobody_filled_makes_the_next_wake_read_the_queue() -> None:
    """A number taken by a decider that died before queueing (a gap): the next send's place is
    not the mark, so it reads the queue, finds itself the head and goes."""
    sender = FakeSender()
    [first] = await placed(sender, command("s1", text="one"))
    await on_wake(sender.deps, first)
    sender.sends._next(CHAT.key)  # taken, never queued
    [wake] = await placed(sender, command("s3", text="three"))
    await on_wake(sender.deps, wake)
    assert (texts(sender), sender.sends.reads) == (["one", "three"], 2)


async def test_a_wake_that_comes_before_the_earlier_sends_wake_keeps_the_queue_order() -> None:
    sender = FakeSender()
    [first] = await placed(sender, command("s1", text="one"))
    await on_wake(sender.deps, first)
    second, third = await placed(sender, command("s2", text="two"), command("s3", text="three"))
    await on_wake(sender.deps, third)  # not the mark: reads, sends s2 then s3
    await on_wake(sender.deps, second)  # at no mark now: reads, nothing left
    assert texts(sender) == ["one", "two", "three"]
