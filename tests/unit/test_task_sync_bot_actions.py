"""task-sync's use cases for a bot flow's actions (issue 12), against fakes: a question's answer
stored on the task, a status look-up that answers only the request's own customer, and a
hand-over to a named group."""

from __future__ import annotations

import pytest

from services.task_sync.application.bot_actions import answer_text
from services.task_sync.handlers import handle
from shared import events
from shared.domain.directory import Contact, Group
from shared.errors import PermanentError, RetryableError
from tests.fakes.task_sync import FakeTaskSync, a_chat, a_task

NOW = events.utcnow()
ANNA = "79011112233"
BORIS = "79035550000"


def field_cmd(value: str = "a@b.ru", task_id: str = "t1") -> events.SetTaskField:
    return events.SetTaskField(id="f-1", correlation_id="c", occurred_at=NOW, task_id=task_id,
                               field="email", value=value)


def lookup(number: str, task_id: str = "t1") -> events.LookUpStatus:
    return events.LookUpStatus(
        id=f"lk-{number}", correlation_id="c", occurred_at=NOW, task_id=task_id,
        chat=a_chat(chat_id=ANNA), number=number, answer_template="Заявка {number}: {status}",
        not_found_text="Заявка не найдена", comment_id=f"cm-{number}", send_id=f"sd-{number}")


async def world() -> FakeTaskSync:
    """Anna asks in t1 (number 1); t2 (number 2) is hers too, through her contact card; t3
    (number 3) is Boris's."""
    ts = FakeTaskSync()
    await ts.directory.upsert_contact(Contact(id="ct-anna", name="Anna", phones=[f"+{ANNA}"]))
    await ts.tasks.create_task(a_task("t1", chat=a_chat(chat_id=ANNA), phone=ANNA, number=1))
    await ts.tasks.create_task(a_task("t2", chat=a_chat(chat_id="x-1"), contact_id="ct-anna",
                                      status="Closed", number=2))
    await ts.tasks.create_task(a_task("t3", chat=a_chat(chat_id=BORIS), phone=BORIS, number=3))
    return ts


async def test_an_answer_is_stored_as_a_task_field() -> None:
    ts = await world()
    await handle(ts.deps, field_cmd())
    await handle(ts.deps, field_cmd())  # a redelivery writes the same value
    task = await ts.tasks.get_task("t1")
    assert task is not None and task.fields == {"email": "a@b.ru"}
    assert [m.kind for m in ts.bus.of_type(events.TaskActivity)] == ["task.updated"] * 2


async def test_a_field_for_a_task_not_created_yet_is_retried() -> None:
    ts = await world()
    with pytest.raises(RetryableError):
        await handle(ts.deps, field_cmd(task_id="t-later"))


async def test_a_customer_is_told_the_status_of_their_own_request() -> None:
    ts = await world()
    await handle(ts.deps, lookup("2"))
    [send] = ts.bus.sends()
    assert send.text == "Заявка 2: Closed" and send.id == "sd-2" and send.comment_id == "cm-2"
    assert send.chat.chat_id == ANNA and not send.clear_unanswered
    comment = await ts.tasks.get_comment("cm-2")
    assert comment is not None and comment.author_kind == "bot" and comment.send_id == "sd-2"
    assert comment.text == send.text


async def test_another_customers_request_is_answered_as_not_found() -> None:
    ts = await world()
    await handle(ts.deps, lookup("3"))
    await handle(ts.deps, lookup("99"))
    await handle(ts.deps, lookup("12345678901234567890"))
    assert [s.text for s in ts.bus.sends()] == ["Заявка не найдена"] * 3


async def test_a_redelivered_look_up_sends_the_same_message_once() -> None:
    ts = await world()
    await handle(ts.deps, lookup("1"))
    await handle(ts.deps, lookup("1"))
    assert {s.id for s in ts.bus.sends()} == {"sd-1"}
    assert len([c for c in ts.tasks.comments.values() if c.id == "cm-1"]) == 1


def test_a_template_that_does_not_format_still_tells_the_status() -> None:
    assert answer_text("№{number} — {status}", "7", "Открыта") == "№7 — Открыта"
    assert answer_text("{oops} {", "7", "Открыта") == "7: Открыта"


async def test_a_hand_over_to_a_group_puts_the_task_in_that_groups_queue() -> None:
    ts = await world()
    await ts.directory.upsert_group(Group(id="g-sales", name="Sales"))
    await handle(ts.deps, events.HandOver(id="h-1", correlation_id="c", occurred_at=NOW,
                                          task_id="t1", status="Manager dialogue",
                                          group_id="g-sales"))
    task = await ts.tasks.get_task("t1")
    assert task is not None and task.assignee_group_id == "g-sales"
    assert task.assignee_user_id is None


async def test_a_hand_over_to_a_missing_group_is_refused() -> None:
    ts = await world()
    with pytest.raises(PermanentError):
        await handle(ts.deps, events.HandOver(id="h-1", correlation_id="c", occurred_at=NOW,
                                              task_id="t1", status="Manager dialogue",
                                              group_id="g-gone"))
