"""task-sync's task use cases against fakes: writing first to a contact, a person's status
change, and the bot's hand-over and status moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.task_sync.application.commands import ChangeStatus, StartConversation
from services.task_sync.application.conversations import start_conversation
from services.task_sync.application.errors import Conflict, Invalid
from services.task_sync.application.outgoing import sweep_once
from services.task_sync.application.tasks import change_status, hand_over, set_status
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.directory import Contact, Group, User
from shared.domain.tasks import Task
from shared.errors import PermanentError, RetryableError
from tests.fakes.task_sync import (
    META,
    WAZZUP,
    FakeTaskSync,
    a_chat,
    a_task,
    an_actor,
    settings,
)

MARIA = User(id="usr-maria", full_name="Иванова Мария", role="admin")
AS_MARIA = an_actor(MARIA)
ANNA = Contact(id="ct-anna", name="Анна", phones=["79011112233"])
STATUSES = settings()
BOT, MANAGER, CLOSED = (STATUSES.wabridge_status_bot, STATUSES.wabridge_status_manager,
                        STATUSES.wabridge_status_closed)


def start(**fields: Any) -> StartConversation:
    values: dict[str, Any] = {"actor": AS_MARIA, "channel_id": "ch-1", "provider": "wazzup",
                                 "connection": WAZZUP.id, "phone": "+7 901 111-22-33",
                                 "text": "Добрый день"}
    return StartConversation(**(values | fields))


def outcome(ts: FakeTaskSync) -> list[type]:
    """What reached the bus for bot-router and outbound-sender, in order."""
    return [type(m) for m in ts.bus.published
            if isinstance(m, events.TaskStatusChanged | events.SendMessage)]


def moving(task: Task, status: str) -> ChangeStatus:
    return ChangeStatus(actor=AS_MARIA, task_id=task.id, status=status)


async def world_with_task(status: str = MANAGER, **fields: Any) -> tuple[FakeTaskSync, Task]:
    ts = FakeTaskSync()
    task = a_task(status=status, **fields)
    await ts.tasks.create_task(task)
    return ts, task


async def stored_task(ts: FakeTaskSync, task_id: str = "t1") -> Task:
    task = await ts.tasks.get_task(task_id)
    assert task is not None
    return task


# ---- writing first --------------------------------------------------------------------------


async def test_start_conversation_creates_the_task_in_the_manager_status_assigned_to_its_author(
) -> None:
    ts = FakeTaskSync()
    started = await start_conversation(ts.deps, start())

    task = await stored_task(ts, started.task.id)
    assert (task.status, task.assignee_user_id, task.chat.chat_id, task.status_version) == (
        MANAGER, MARIA.id, "79011112233", 1)
    assert started.created is True


async def test_start_conversation_announces_the_task_before_its_first_message() -> None:
    ts = FakeTaskSync()
    started = await start_conversation(ts.deps, start())

    assert outcome(ts) == [events.TaskStatusChanged, events.SendMessage]
    [announced] = ts.bus.of_type(events.TaskStatusChanged)
    assert (announced.task_id, announced.status, announced.state) == (
        started.task.id, MANAGER, "manager")
    assert await ts.tasks.unannounced_tasks() == []
    [sent] = ts.bus.sends()
    assert (sent.comment_id, sent.text) == (started.comment_id, "*Иванова Мария*:\nДобрый день")


async def test_an_unpublished_announcement_holds_the_first_message_for_the_sweeper() -> None:
    ts = FakeTaskSync(config=settings(WABRIDGE_OUTBOX_SWEEP_SECONDS="0"))
    ts.bus.fail_next(only=events.TaskStatusChanged)
    started = await start_conversation(ts.deps, start())
    assert outcome(ts) == []
    assert [t.id for t in await ts.tasks.unannounced_tasks()] == [started.task.id]

    assert await sweep_once(ts.deps) == 2
    assert outcome(ts) == [events.TaskStatusChanged, events.SendMessage]
    assert await ts.tasks.unannounced_tasks() == []


async def test_the_sweeper_holds_the_first_message_while_its_announcement_still_fails(
) -> None:
    ts = FakeTaskSync(config=settings(WABRIDGE_OUTBOX_SWEEP_SECONDS="0"))
    ts.bus.fail_next(2, only=events.TaskStatusChanged)  # at the start, and in the first sweep
    await start_conversation(ts.deps, start())

    assert await sweep_once(ts.deps) == 0
    assert outcome(ts) == []
    assert await sweep_once(ts.deps) == 2
    assert outcome(ts) == [events.TaskStatusChanged, events.SendMessage]


async def test_start_conversation_in_a_chat_with_an_open_task_is_a_conflict() -> None:
    ts, task = await world_with_task(chat=a_chat("wazzup", chat_id="79011112233"))
    with pytest.raises(Conflict) as refused:
        await start_conversation(ts.deps, start())
    assert refused.value.error == "conversation_open"
    assert list(ts.tasks.tasks) == [task.id] and outcome(ts) == []


async def test_start_conversation_in_a_chat_whose_tasks_are_closed_opens_a_new_one() -> None:
    ts, _ = await world_with_task(status=CLOSED, chat=a_chat("wazzup", chat_id="79011112233"))
    started = await start_conversation(ts.deps, start())
    assert started.task.id in ts.tasks.tasks and len(ts.tasks.tasks) == 2


async def test_start_conversation_through_an_unknown_connection_is_invalid() -> None:
    ts = FakeTaskSync()
    with pytest.raises(Invalid) as refused:
        await start_conversation(ts.deps, start(connection="no-such-connection"))
    assert refused.value.error == "unknown_connection"
    assert ts.tasks.tasks == {} and outcome(ts) == []


async def test_start_conversation_through_another_gateways_connection_is_invalid() -> None:
    ts = FakeTaskSync()
    with pytest.raises(Invalid) as refused:
        await start_conversation(ts.deps, start(connection=META.id))
    assert refused.value.error == "unknown_connection"


async def test_start_conversation_with_an_unknown_contact_is_invalid() -> None:
    ts = FakeTaskSync()
    with pytest.raises(Invalid) as refused:
        await start_conversation(ts.deps, start(contact_id="ct-nobody", phone=None))
    assert refused.value.error == "unknown_contact"
    assert ts.tasks.tasks == {} and outcome(ts) == []


async def test_start_conversation_with_a_contact_writes_to_the_contacts_first_phone() -> None:
    ts = FakeTaskSync()
    await ts.directory.upsert_contact(ANNA)
    started = await start_conversation(ts.deps, start(contact_id=ANNA.id, phone=None))
    assert (started.task.chat.chat_id, started.task.contact_id, started.task.contact_name) == (
        "79011112233", ANNA.id, "Анна")


async def test_a_repeated_idempotency_key_returns_the_earlier_task_and_sends_nothing_more(
) -> None:
    ts = FakeTaskSync()
    first = await start_conversation(ts.deps, start(idempotency_key="key-1"))
    again = await start_conversation(ts.deps, start(idempotency_key="key-1"))

    assert (again.created, again.task.id, again.comment_id) == (
        False, first.task.id, first.comment_id)
    assert outcome(ts) == [events.TaskStatusChanged, events.SendMessage]


async def test_free_text_first_on_a_meta_chat_is_refused_when_the_customer_never_wrote(
) -> None:
    ts = FakeTaskSync()
    with pytest.raises(Invalid) as refused:
        await start_conversation(ts.deps, start(provider="meta", connection=META.id))
    assert refused.value.error == "window_closed"
    assert ts.tasks.tasks == {} and outcome(ts) == []


async def test_a_template_may_start_a_meta_conversation_outside_the_window() -> None:
    ts = FakeTaskSync()
    await start_conversation(ts.deps, start(provider="meta", connection=META.id, text="",
                                            template_id="hello", template_values=["Анна"]))
    [sent] = ts.bus.sends()
    assert (sent.template_id, sent.template_values, sent.text) == ("hello", ["Анна"], "")


async def test_free_text_first_on_a_meta_chat_goes_when_the_customer_wrote_today() -> None:
    ts, old = await world_with_task(status=CLOSED, chat=a_chat("meta"))
    at = events.utcnow() - timedelta(hours=2)
    await ts.tasks.add_comment(Comment(id="in-1", task_id=old.id, order=order_of(at), at=at,
                                       author_kind="customer", direction="in", text="?"))
    await start_conversation(ts.deps, start(provider="meta", connection=META.id))
    assert len(ts.bus.sends()) == 1


# ---- a person changes the status ------------------------------------------------------------


async def test_change_status_to_an_unknown_status_is_invalid() -> None:
    ts, task = await world_with_task()
    with pytest.raises(Invalid) as refused:
        await change_status(ts.deps, moving(task, "Whatever"))
    assert refused.value.error == "unknown_status"
    assert (await stored_task(ts)).status == MANAGER and outcome(ts) == []


async def test_change_status_of_a_closed_task_is_a_conflict() -> None:
    ts, task = await world_with_task(status=CLOSED)
    with pytest.raises(Conflict) as refused:
        await change_status(ts.deps, moving(task, MANAGER))
    assert refused.value.error == "task_closed"
    assert (await stored_task(ts)).status == CLOSED and outcome(ts) == []


async def test_change_status_announces_the_change_to_bot_router() -> None:
    ts, task = await world_with_task(status=MANAGER)
    updated = await change_status(ts.deps, moving(task, CLOSED))

    assert (updated.status, updated.status_version) == (CLOSED, 1)
    [announced] = ts.bus.of_type(events.TaskStatusChanged)
    assert (announced.task_id, announced.status, announced.state) == (task.id, CLOSED, "closed")
    assert await ts.tasks.unannounced_tasks() == []


async def test_an_unpublished_status_change_stays_for_the_sweeper() -> None:
    ts, task = await world_with_task(status=MANAGER)
    ts.bus.fail_next(only=events.TaskStatusChanged)
    await change_status(ts.deps, moving(task, BOT))
    assert [t.status for t in await ts.tasks.unannounced_tasks()] == [BOT]
    assert ts.deps.outbox.pending.is_set()


async def test_change_status_to_the_current_status_changes_and_announces_nothing() -> None:
    ts, task = await world_with_task(status=MANAGER)
    unchanged = await change_status(ts.deps, moving(task, MANAGER))
    assert unchanged.status_version == 0 and outcome(ts) == []


# ---- the bot hands over ---------------------------------------------------------------------


def handing_over(task: Task) -> events.HandOver:
    return events.HandOver(id="ho-1", correlation_id="c", occurred_at=events.utcnow(),
                           task_id=task.id, status=MANAGER)


async def test_hand_over_assigns_the_task_to_the_contacts_responsible_employee() -> None:
    ts, task = await world_with_task(status=BOT, contact_id=ANNA.id, assignee_group_id="g-old")
    await ts.directory.upsert_contact(Contact(id=ANNA.id, name="Анна",
                                              responsible_user_id=MARIA.id))
    await ts.directory.upsert_group(Group(id="g-cc", name=STATUSES.wabridge_contact_centre_group))
    await hand_over(ts.deps, handing_over(task))

    stored = await stored_task(ts)
    assert (stored.status, stored.assignee_user_id, stored.assignee_group_id) == (
        MANAGER, MARIA.id, None)


async def test_hand_over_without_a_responsible_employee_goes_to_the_contact_centre() -> None:
    ts, task = await world_with_task(status=BOT, contact_id=ANNA.id, assignee_user_id="u-old")
    await ts.directory.upsert_contact(ANNA)
    await ts.directory.upsert_group(Group(id="g-cc", name=STATUSES.wabridge_contact_centre_group))
    await hand_over(ts.deps, handing_over(task))

    stored = await stored_task(ts)
    assert (stored.status, stored.assignee_user_id, stored.assignee_group_id) == (
        MANAGER, None, "g-cc")


async def test_hand_over_with_nobody_to_route_to_is_a_permanent_error() -> None:
    ts, task = await world_with_task(status=BOT)
    with pytest.raises(PermanentError):
        await hand_over(ts.deps, handing_over(task))
    assert await stored_task(ts) == task


async def test_hand_over_never_reopens_a_closed_task() -> None:
    ts, task = await world_with_task(status=CLOSED, contact_id=ANNA.id)
    await ts.directory.upsert_contact(Contact(id=ANNA.id, name="Анна",
                                              responsible_user_id=MARIA.id))
    await hand_over(ts.deps, handing_over(task))
    assert await stored_task(ts) == task


async def test_hand_over_of_a_task_not_created_yet_is_retried() -> None:
    ts = FakeTaskSync()
    with pytest.raises(RetryableError):
        await hand_over(ts.deps, handing_over(a_task("later")))


# ---- the bot moves the status ---------------------------------------------------------------


def setting_status(task: Task, status: str) -> events.SetTaskStatus:
    return events.SetTaskStatus(id="ss-1", correlation_id="c", occurred_at=events.utcnow(),
                                task_id=task.id, status=status)


async def test_set_status_moves_an_open_task() -> None:
    ts, task = await world_with_task(status=BOT)
    await set_status(ts.deps, setting_status(task, CLOSED))
    assert (await stored_task(ts)).status == CLOSED


async def test_set_status_never_leaves_closed() -> None:
    ts, task = await world_with_task(status=CLOSED)
    await set_status(ts.deps, setting_status(task, BOT))
    assert await stored_task(ts) == task


async def test_set_status_of_a_task_not_created_yet_is_retried() -> None:
    ts = FakeTaskSync()
    with pytest.raises(RetryableError):
        await set_status(ts.deps, setting_status(a_task("later"), CLOSED))
