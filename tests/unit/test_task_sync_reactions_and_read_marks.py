"""What a manager's opened chat tells WhatsApp (read marks, as each channel is configured) and
how reactions show on the message they react to, in the chat's pages and in live updates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.task_sync.application import chat, messaging
from services.task_sync.application.live import LiveHub
from services.task_sync.application.live_feed import LiveFeed
from services.task_sync.application.views import reactions_shown
from shared import events
from shared.domain.access import Viewer
from shared.domain.comments import Comment, order_of
from shared.domain.directory import User
from tests.fakes.task_sync import (
    FakePublisher,
    FakeTaskSystem,
    a_chat,
    a_task,
    an_actor,
    fake_deps,
    settings,
)

ADMIN = User(id="usr-admin", full_name="Алла Админова", role="admin")
START = events.utcnow().replace(microsecond=0)


def _comment(n: int, text: str, *, direction: events.Direction = "in", **fields: Any) -> Comment:
    at = START + timedelta(seconds=n)
    kind: events.AuthorKind = "customer" if direction == "in" else "user"
    return Comment(id=f"c{n}", task_id="t1", order=order_of(at), at=at, author_kind=kind,
                   direction=direction, text=text, **fields)


def _reaction(n: int, emoji: str, target: str, *, direction: events.Direction = "in",
              by: str = "Ana") -> Comment:
    names = {"sender_name": by} if direction == "in" else {"author_name": by}
    text = f"[reaction {emoji}]" if emoji else (
        "[reaction]" if direction == "in" else "[reaction removed]")
    return _comment(n, text, direction=direction, content_type="reaction",
                    reply_to_comment_id=target, **names)


async def _meta_chat(read_receipts: str) -> tuple[Any, FakePublisher]:
    tasks, bus = FakeTaskSystem(), FakePublisher()
    deps = fake_deps(tasks=tasks, bus=bus,
                     config=settings(WABRIDGE_READ_RECEIPTS=read_receipts))
    await tasks.create_task(a_task("t1", chat=a_chat("meta", channel_id="ch-1")))
    await tasks.add_comment(_comment(1, "здравствуйте", gateway_message_id="wamid.1"))
    return deps, bus


@pytest.mark.parametrize("read_receipts", ["", "ch-other", " , "])
async def test_read_receipts_turned_off_for_the_channel_send_no_read_mark(
        read_receipts: str) -> None:
    deps, bus = await _meta_chat(read_receipts)

    done = await messaging.mark_read(deps, an_actor(ADMIN).viewer, "t1")

    assert done.sent is False and "read receipts are off" in (done.reason or "")
    assert bus.of_type(events.SendSignal) == []


@pytest.mark.parametrize("read_receipts", ["*", "ch-1", "ch-other, ch-1"])
async def test_read_receipts_on_for_the_channel_mark_the_newest_customer_message_read(
        read_receipts: str) -> None:
    deps, bus = await _meta_chat(read_receipts)

    done = await messaging.mark_read(deps, an_actor(ADMIN).viewer, "t1")

    assert done.sent is True
    [signal] = bus.of_type(events.SendSignal)
    assert (signal.kind, signal.gateway_message_id) == ("read", "wamid.1")


def test_the_newest_reaction_of_each_reactor_shows_and_a_taken_back_one_goes() -> None:
    found = reactions_shown([
        _comment(1, "здравствуйте"), _reaction(2, "👍", "c1"), _reaction(3, "❤", "c1"),
        _reaction(4, "😮", "c1", by="Boris"), _reaction(5, "", "c1", by="Boris"),
        _comment(6, "ok", direction="out"), _reaction(7, "🙏", "c6")])

    assert found == {"c1": [{"emoji": "❤", "by": "Ana", "direction": "in"}],
                     "c6": [{"emoji": "🙏", "by": "Ana", "direction": "in"}]}


def test_managers_react_as_the_one_business_number_so_the_newest_replaces_the_others() -> None:
    found = reactions_shown([
        _comment(1, "здравствуйте"), _reaction(2, "👍", "c1", direction="out", by="Анна"),
        _reaction(3, "😂", "c1"), _reaction(4, "❤", "c1", direction="out", by="Борис")])

    assert found == {"c1": [{"emoji": "😂", "by": "Ana", "direction": "in"},
                            {"emoji": "❤", "by": "Борис", "direction": "out"}]}
    taken_back = reactions_shown([_comment(1, "здравствуйте"),
                                  _reaction(2, "👍", "c1", direction="out", by="Анна"),
                                  _reaction(3, "", "c1", direction="out", by="Борис")])
    assert taken_back == {}


async def test_a_chat_page_shows_reactions_on_their_message_and_names_each_emoji() -> None:
    tasks = FakeTaskSystem()
    deps = fake_deps(tasks=tasks)
    task = a_task("t1", chat=a_chat("meta"))
    await tasks.create_task(task)
    for c in (_comment(1, "здравствуйте", gateway_message_id="wamid.1"),
              _reaction(2, "👍", "c1"), _reaction(3, "", "c1", direction="out", by="Анна")):
        await tasks.add_comment(c)

    page = await chat.comment_page(deps, task)

    by_id = {c["id"]: c for c in page["items"]}
    assert by_id["c1"]["reactions"] == [{"emoji": "👍", "by": "Ana", "direction": "in"}]
    assert (by_id["c2"]["reaction"], by_id["c3"]["reaction"]) == ("👍", "")
    assert "reaction" not in by_id["c1"] and "reactions" not in by_id["c2"]


async def test_a_managers_reaction_is_announced_to_the_consoles_and_sent_to_whatsapp() -> None:
    tasks, bus = FakeTaskSystem(), FakePublisher()
    deps = fake_deps(tasks=tasks, bus=bus)
    await tasks.create_task(a_task("t1", chat=a_chat("meta")))
    await tasks.add_comment(_comment(1, "здравствуйте", gateway_message_id="wamid.1"))

    made = await messaging.react(deps, an_actor(ADMIN), "t1", "c1", "👍")

    assert (made.text, made.reply_to_comment_id) == ("[reaction 👍]", "c1")
    [signal] = bus.of_type(events.SendSignal)
    assert (signal.kind, signal.emoji, signal.gateway_message_id) == ("reaction", "👍", "wamid.1")
    [told] = bus.of_type(events.TaskActivity)
    assert (told.kind, told.correlation_id) == ("comment.added", made.id)


async def test_a_live_customer_reaction_names_the_message_this_replica_has_not_seen() -> None:
    tasks, hub = FakeTaskSystem(), LiveHub()
    await tasks.create_task(a_task("t1", chat=a_chat("meta")))
    await tasks.add_comment(_comment(1, "ваш заказ готов", direction="out",
                                     gateway_message_id="wamid.out-1"))
    console = hub.subscribe(Viewer(user_id=ADMIN.id, role="admin"))

    await LiveFeed(tasks, hub).on_message(events.AddComment(
        id="cmd-r", correlation_id="c", occurred_at=START, comment_id="c2", task_id="t1",
        author_kind="customer", direction="in", text="[reaction 👍]", at=START,
        content_type="reaction", sender_name="Ana", gateway_message_id="wamid.r-1",
        reply_to_gateway_message_id="wamid.out-1"))

    shown = console.queue.get_nowait().data["comment"]
    assert (shown["reply_to_comment_id"], shown["reaction"]) == ("c1", "👍")
