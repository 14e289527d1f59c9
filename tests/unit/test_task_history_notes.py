"""Notices in a task's chat between the messages: hand-overs, claims, assignments, status
changes and reopenings leave a system note (once per change, shown live, never sent to
WhatsApp, no customer message: no inbox preview, count, deadline or window)."""

from __future__ import annotations

from typing import Any

from services.task_sync.application.commands import (
    AssignTask,
    ChangeStatus,
    ClaimTask,
    ReopenTask,
)
from services.task_sync.application.task_actions import assign_task, claim_task, reopen_task
from services.task_sync.application.tasks import change_status, hand_over, set_status
from shared import events
from shared.domain.comments import NOTICE, Comment
from shared.domain.directory import Contact, Group, User
from shared.domain.tasks import Task
from tests.fakes.task_sync import FakeTaskSync, a_task, an_actor, settings

MARIA = User(id="usr-maria", full_name="Иванова Мария", role="manager", group_ids=["g-cc"])
PETROV = User(id="usr-petrov", full_name="Петров Иван", role="admin")
ANNA = Contact(id="ct-anna", name="Анна", phones=["79011112233"])
STATUSES = settings()
BOT, MANAGER, CLOSED = (STATUSES.wabridge_status_bot, STATUSES.wabridge_status_manager,
                        STATUSES.wabridge_status_closed)


async def world(status: str = MANAGER, **fields: Any) -> tuple[FakeTaskSync, Task]:
    ts = FakeTaskSync()
    for user in (MARIA, PETROV):
        await ts.directory.upsert_user(user)
    await ts.directory.upsert_group(Group(id="g-cc", name="Контакт-центр"))
    task = a_task(status=status, **fields)
    await ts.tasks.create_task(task)
    return ts, task


async def notes(ts: FakeTaskSync, task_id: str = "t1") -> list[Comment]:
    return [c for c in await ts.tasks.comments_of_task(task_id) if c.author_kind == "system"]


def announced(ts: FakeTaskSync) -> list[str]:
    """The texts of the comments announced live (the consoles' ``comment.added``)."""
    out = []
    for message in ts.bus.published:
        if isinstance(message, events.TaskActivity) and message.comment is not None:
            out.append(events.msgspec.msgpack.decode(message.comment, type=Comment).text)
    return out


def handing_over(cmd_id: str = "ho-1") -> events.HandOver:
    return events.HandOver(id=cmd_id, correlation_id="c", occurred_at=events.utcnow(),
                           task_id="t1", status=MANAGER)


async def test_a_hand_over_to_a_manager_notes_the_manager_once_and_shows_it_live() -> None:
    ts, _ = await world(status=BOT, contact_id=ANNA.id)
    await ts.directory.upsert_contact(Contact(id=ANNA.id, name="Анна",
                                              responsible_user_id=MARIA.id))
    await hand_over(ts.deps, handing_over())
    await hand_over(ts.deps, handing_over())  # redelivered

    [note] = await notes(ts)
    assert note.text == "Передано менеджеру: Иванова Мария"
    assert (note.direction, note.content_type, note.delivery) == ("out", NOTICE, None)
    assert announced(ts) == [note.text]
    assert not ts.bus.of_type(events.SendMessage)  # never sent to WhatsApp


async def test_a_hand_over_to_the_group_queue_notes_the_group() -> None:
    ts, _ = await world(status=BOT, contact_id=ANNA.id)
    await ts.directory.upsert_contact(ANNA)
    await ts.directory.upsert_group(Group(id="g-cc",
                                          name=STATUSES.wabridge_contact_centre_group))
    await hand_over(ts.deps, handing_over())
    assert [n.text for n in await notes(ts)] == [
        f"В очереди группы {STATUSES.wabridge_contact_centre_group}"]


async def test_claiming_notes_who_took_the_task() -> None:
    ts, task = await world(assignee_group_id="g-cc")
    await claim_task(ts.deps, ClaimTask(task_id=task.id, actor=an_actor(MARIA)))
    assert [n.text for n in await notes(ts)] == ["Задачу взял(а) Иванова Мария"]


async def test_assigning_notes_who_gave_the_task_to_whom_or_to_which_queue() -> None:
    ts, task = await world(assignee_group_id="g-cc")
    await assign_task(ts.deps, AssignTask(task_id=task.id, actor=an_actor(PETROV),
                                          user_id=MARIA.id))
    await assign_task(ts.deps, AssignTask(task_id=task.id, actor=an_actor(PETROV),
                                          group_id="g-cc"))
    assert [n.text for n in await notes(ts)] == [
        "Петров Иван назначил(а): Иванова Мария",
        "Петров Иван вернул(а) задачу в очередь группы Контакт-центр"]


async def test_closing_and_reopening_note_the_statuses_and_who_changed_them() -> None:
    ts, task = await world()
    await change_status(ts.deps, ChangeStatus(actor=an_actor(PETROV), task_id=task.id,
                                              status=CLOSED))
    await reopen_task(ts.deps, ReopenTask(task_id=task.id, actor=an_actor(PETROV)))
    assert [n.text for n in await notes(ts)] == [
        f"Статус: {MANAGER} → {CLOSED} (Петров Иван)",
        f"Задача открыта снова (Петров Иван). Статус: {MANAGER}"]


async def test_the_bots_status_change_is_noted_once_per_command() -> None:
    ts, _ = await world(status=BOT)
    cmd = events.SetTaskStatus(id="st-1", correlation_id="c", occurred_at=events.utcnow(),
                               task_id="t1", status=CLOSED)
    await set_status(ts.deps, cmd)
    await set_status(ts.deps, cmd)  # redelivered: the task is closed, nothing more
    assert [n.text for n in await notes(ts)] == [f"Статус: {BOT} → {CLOSED} (бот)"]


async def test_notes_are_no_customer_message_for_the_inbox() -> None:
    ts, task = await world(assignee_group_id="g-cc")
    await claim_task(ts.deps, ClaimTask(task_id=task.id, actor=an_actor(MARIA)))
    assert await notes(ts)
    assert not ts.deps.activity.items  # no inbox preview, no customer-message count
    stored = await ts.tasks.get_task(task.id)
    assert stored is not None and stored.inbound_count == 0
    assert await ts.tasks.last_inbound_at(task.chat.key) is None  # the 24-hour window
