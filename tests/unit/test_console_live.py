"""Live updates: what each console hears, resuming after a reconnect, and the bus messages
turned into console events."""

from __future__ import annotations

from typing import Any, cast

import msgspec

from services.task_sync.application.live import ConsoleEvent, LiveHub
from services.task_sync.application.live_feed import LiveFeed
from services.task_sync.application.ports import TaskSystem
from shared import events
from shared.domain.access import Viewer
from shared.domain.comments import Comment
from shared.domain.tasks import Task

NOW = events.utcnow()
CHAT = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                      chat_id="79011112233")
IVANOVA = Viewer(user_id="u-iv", role="manager", group_ids=frozenset({"g-cc"}))
SMIRNOV = Viewer(user_id="u-sm", role="manager", group_ids=frozenset({"g-sales"}))


def task(task_id: str = "t1", **fields: Any) -> Task:
    return Task(id=task_id, title="WhatsApp: Сидоров", category="c", status="m", chat=CHAT,
                conversation_id="cv", created_at=NOW, updated_at=NOW, **fields)


def event(n: int, the_task: Task) -> ConsoleEvent:
    return ConsoleEvent(id=f"e{n}", kind="comment.added", task_id=the_task.id, data={"n": n},
                        task=the_task)


def test_an_event_reaches_only_the_people_who_may_see_its_task() -> None:
    hub = LiveHub()
    hers, his = hub.subscribe(IVANOVA), hub.subscribe(SMIRNOV)
    hub.publish(event(1, task(assignee_user_id="u-iv")))
    assert hers.queue.qsize() == 1 and his.queue.qsize() == 0


def test_a_reconnect_with_the_last_event_id_gets_what_it_missed_once() -> None:
    hub = LiveHub()
    mine = task(assignee_user_id="u-iv")
    for n in range(1, 4):
        hub.publish(event(n, mine))
    hub.publish(event(2, mine))  # the same event again (another replica's copy): once
    again = hub.subscribe(IVANOVA, "e1")
    got = [again.queue.get_nowait().id for _ in range(again.queue.qsize())]
    assert got == ["e2", "e3"] and not again.missed


def test_a_reconnect_from_an_unknown_event_is_told_to_reload() -> None:
    hub = LiveHub()
    assert hub.subscribe(IVANOVA, "long-gone").missed


def test_a_resume_after_more_than_a_stream_holds_is_told_to_reload() -> None:
    hub = LiveHub()
    mine = task(assignee_user_id="u-iv")
    for n in range(hub.subscribe(SMIRNOV).queue.maxsize + 2):
        hub.publish(event(n, mine))
    again = hub.subscribe(IVANOVA, "e0")
    assert again.missed and again.queue.full()


def test_a_console_that_does_not_read_is_dropped_not_waited_for() -> None:
    hub = LiveHub()
    slow = hub.subscribe(IVANOVA)
    mine = task(assignee_user_id="u-iv")
    for n in range(slow.queue.maxsize + 1):
        hub.publish(event(n, mine))
    assert slow.missed and slow.closed.is_set() and hub.subscribers == 0


class Tasks:
    """The two reads the feed makes."""

    def __init__(self, *known: Task) -> None:
        self.known = {t.id: t for t in known}
        self.reads = 0

    async def get_task(self, task_id: str) -> Task | None:
        self.reads += 1
        return self.known.get(task_id)

    async def comment_by_gateway_id(self, gateway_message_id: str) -> Comment | None:
        return None


def customer_message(text: str) -> events.AddComment:
    return events.AddComment(
        id="cmd-1", correlation_id="c", occurred_at=NOW, comment_id="cm-1", task_id="t1",
        author_kind="customer", direction="in", text=text, at=NOW, sender_name="Сидоров Пётр",
        gateway_message_id="gw-in-1")


async def test_a_customer_message_becomes_a_comment_added_for_the_assignee() -> None:
    hub = LiveHub()
    sub = hub.subscribe(IVANOVA)
    tasks = Tasks(task(assignee_user_id="u-iv"))
    feed = LiveFeed(cast(TaskSystem, tasks), hub)
    await feed.on_message(customer_message("<img src=x onerror=alert(1)>"))
    got = sub.queue.get_nowait()
    assert got.kind == "comment.added"
    assert got.data["comment"]["text"] == "<img src=x onerror=alert(1)>"  # data, not markup
    assert got.data["comment"]["author_name"] == "Сидоров Пётр"
    await feed.on_message(customer_message("again"))
    assert tasks.reads == 1  # the task is remembered


async def test_send_results_and_statuses_update_the_comments_ticks() -> None:
    hub = LiveHub()
    sub = hub.subscribe(IVANOVA)
    feed = LiveFeed(cast(TaskSystem, Tasks(task(assignee_user_id="u-iv"))), hub)
    await feed.on_message(events.SendSucceeded(
        id="ok-1", correlation_id="c", occurred_at=NOW, send_id="s1", task_id="t1",
        comment_id="cm-2", gateway_message_id="gw-out-1"))
    await feed.on_message(events.StatusUpdated(
        id="st-1", correlation_id="c", occurred_at=NOW, provider="wazzup",
        gateway_message_id="gw-out-1", status="read"))
    got = [sub.queue.get_nowait().data for _ in range(sub.queue.qsize())]
    assert [(d["comment_id"], d["delivery"]) for d in got] == [("cm-2", "sent"), ("cm-2", "read")]


async def test_a_hand_over_announcement_shows_the_task_to_its_new_assignee() -> None:
    hub = LiveHub()
    sub = hub.subscribe(IVANOVA)
    feed = LiveFeed(cast(TaskSystem, Tasks()), hub)
    handed = task(assignee_user_id="u-iv")
    await feed.on_message(events.TaskActivity(
        id="act-1", correlation_id="c", occurred_at=NOW, task_id="t1", kind="task.updated",
        task=msgspec.msgpack.encode(handed)))
    got = sub.queue.get_nowait()
    assert got.kind == "task.updated" and got.data["task"]["assignee_user_id"] == "u-iv"
