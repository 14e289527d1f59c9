"""What people do in First Form, picked up by the adapter's feed reader against the sandbox's
First Form (in this process): managers' comments once, state and performer changes, and a
round that goes on past one task First Form refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from services.sandbox.first_form_world import Failure
from shared.domain.comments import order_of
from shared.store import first_form_ids
from shared.store.builtin_ports import MongoFiles
from tests.first_form_setup import (
    BOT,
    CLOSED,
    MANAGER,
    NOW,
    FirstFormRig,
    comment,
    first_form_rig,
    task,
)


@pytest.fixture
async def rig(db: Any) -> AsyncIterator[FirstFormRig]:
    async with first_form_rig(db) as made:
        yield made


async def ff_task_of(rig: FirstFormRig, task_id: str = "t1") -> int:
    return await rig.ff_task_of(task_id)


async def test_a_managers_comment_is_picked_up_once_with_name_reply_and_files(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    await rig.system.add_comment(comment("c1", "вопрос", gateway_message_id="gw-1"))
    ff_task = await ff_task_of(rig)
    [customer] = rig.ff_comments()
    file = rig.world.add_file("price.pdf", "application/pdf", b"price list")
    rig.world.add_comment(ff_task, 101, "<p>Добрый день!</p><p>Ответ во вложении</p>",
                          customer.id, [file.id])
    found = await rig.system.pick_up()
    [picked] = found.comments
    assert (picked.text, picked.author_name, picked.author_user_id) == (
        "Добрый день!\nОтвет во вложении", "Иванова Мария Сергеевна", "usr-ivanova")
    assert (picked.direction, picked.delivery, picked.outbox, picked.reply_to_comment_id) == (
        "out", "queued", True, "c1")
    [attached] = await rig.system.attachments_of_comment(picked.id)
    stored = b"".join([c async for c in MongoFiles(rig.db).chunks(attached.id)])
    assert (attached.file_name, attached.state, stored) == ("price.pdf", "stored", b"price list")
    assert [c.id for c in await rig.system.unsent_people_comments(NOW + timedelta(days=3650))
            ] == [picked.id]
    assert (await rig.system.pick_up()).comments == []  # the cursor moved past it


async def test_our_own_comments_are_never_picked_up(rig: FirstFormRig) -> None:
    await rig.system.create_task(task())
    await rig.system.add_comment(comment("c1"))
    ff_task = await ff_task_of(rig)
    rig.world.add_comment(ff_task, 3, "Робот 1Ф: задача просрочена", None, [])
    assert (await rig.system.pick_up()).comments == []


async def test_a_pick_up_interrupted_before_the_cursor_moved_records_nothing_twice(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    ff_task = await ff_task_of(rig)
    rig.world.add_comment(ff_task, 101, "первый ответ", None, [])
    await rig.system.pick_up()
    await rig.db.first_form_tasks.update_one({"_id": "t1"}, {"$set": {"cursor": 0}})
    assert (await rig.system.pick_up()).comments == []
    assert len([c for c in await rig.system.comments_of_task("t1")
                if c.direction == "out"]) == 1


async def test_a_task_closed_in_first_form_is_closed_here_and_announced(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task(status=MANAGER))
    [ff] = rig.ff_tasks()
    ff.state_id = 14
    found = await rig.system.pick_up()
    [changed] = found.tasks
    assert (changed.status, changed.status_version) == (CLOSED, 1)
    assert [t.id for t in await rig.system.unannounced_tasks()] == ["t1"]
    assert [link async for link in first_form_ids.open_tasks(rig.db)] == []


async def test_a_performer_set_in_first_form_becomes_the_assignee(rig: FirstFormRig) -> None:
    await rig.system.create_task(task(status=MANAGER))
    [ff] = rig.ff_tasks()
    ff.performers, ff.state_id = [102], 12
    [changed] = (await rig.system.pick_up()).tasks
    assert (changed.assignee_user_id, changed.status) == ("usr-petrov", BOT)


async def test_a_performer_changed_alone_in_first_form_becomes_the_assignee(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task(status=MANAGER))
    assert (await rig.system.pick_up()).tasks == []
    [ff] = rig.ff_tasks()
    ff.performers = [101]
    [changed] = (await rig.system.pick_up()).tasks
    assert (changed.assignee_user_id, changed.status, changed.status_version) == (
        "usr-ivanova", MANAGER, 0)


async def test_a_managers_comment_whose_file_is_gone_does_not_hold_up_the_next(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    ff_task = await ff_task_of(rig)
    gone = rig.world.add_file("x.pdf", "application/pdf", b"x")
    rig.world.add_comment(ff_task, 101, "файл", None, [gone.id])
    rig.world.add_comment(ff_task, 101, "и текст", None, [])
    rig.world.failures.append(Failure(count=9, status=404, path=f"/download/{gone.id}"))
    picked = (await rig.system.pick_up()).comments
    assert [c.text for c in picked] == ["и текст"]




# ---- one round over every task, whatever one of them does ----------------------------------


@pytest.mark.parametrize("status", [403, 500])
async def test_a_task_first_form_refuses_does_not_stop_the_others_manager_comment(
    rig: FirstFormRig, status: int,
) -> None:
    await rig.system.create_task(task("t1", chat_id="79011112233"))
    await rig.system.create_task(task("t2", chat_id="79012223344"))
    refused, fine = await ff_task_of(rig, "t1"), await ff_task_of(rig, "t2")
    rig.world.add_comment(refused, 101, "в отказанной задаче", None, [])
    rig.world.add_comment(fine, 101, "ответ по второй задаче", None, [])
    rig.world.failures.append(Failure(count=9, status=status, path=f"/feeds/task/{refused}"))
    picked = (await rig.system.pick_up()).comments
    assert [(c.task_id, c.text) for c in picked] == [("t2", "ответ по второй задаче")]
    rig.world.failures.clear()  # the refused task is read again on the next round
    assert [c.text for c in (await rig.system.pick_up()).comments] == ["в отказанной задаче"]


async def test_first_form_unreachable_for_everyone_ends_the_round(rig: FirstFormRig) -> None:
    await rig.system.create_task(task("t1", chat_id="79011112233"))
    await rig.system.create_task(task("t2", chat_id="79012223344"))
    rig.world.failures.append(Failure(count=99, status=503, path="/feeds/task/"))
    assert (await rig.system.pick_up()).comments == []
    feeds = await rig.requests("/feeds/task/")
    assert len({r["path"] for r in feeds}) == 1  # the second task was not asked in vain


async def test_what_a_round_found_before_first_form_went_away_is_returned_to_send_now(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    rig.world.add_comment(await ff_task_of(rig), 101, "первый ответ", None, [])
    # the feed is read, then First Form is down for the task's state
    rig.world.failures.append(Failure(count=9, status=503, path="/api/tasks"))
    [picked] = (await rig.system.pick_up()).comments
    assert picked.text == "первый ответ"


async def test_a_round_reaches_every_open_task_beyond_one_page(db: Any) -> None:
    async with first_form_rig(db, feed_page=2) as rig:
        chats = [f"7901000000{n}" for n in range(5)]
        for n, chat in enumerate(chats):
            await rig.system.create_task(task(f"t{n}", chat_id=chat))
            rig.world.add_comment(await ff_task_of(rig, f"t{n}"), 101, f"ответ {n}", None, [])
        picked = (await rig.system.pick_up()).comments
        assert sorted(c.text for c in picked) == [f"ответ {n}" for n in range(5)]
        assert len([link async for link in first_form_ids.open_tasks(db, page=2)]) == 5


# ---- the close and the customer's next message race ----------------------------------------


async def test_a_message_after_a_close_seen_in_first_form_opens_the_next_task_not_the_closed(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task(status=MANAGER))
    [closed] = rig.ff_tasks()
    closed.state_id = 14  # the manager closed it in First Form
    await rig.system.pick_up()
    # bot-router has not heard of the close yet: the message is still routed to t1
    assert await rig.system.add_comment(comment("c9", "Снова я")) is True
    assert rig.ff_comments(closed.id) == []
    [successor] = [t for t in rig.ff_tasks() if t.id != closed.id]
    assert [c.text.split("\n")[0] for c in rig.ff_comments(successor.id)] == ["Снова я"]
    assert rig.world.states_of(1001)[successor.state_id] == BOT
    recorded = await rig.system.get_comment("c9")
    assert recorded is not None and recorded.task_id != "t1"
    new = await rig.system.get_task(recorded.task_id)
    assert new is not None and new.chat == task().chat and new.status == BOT
    assert recorded.task_id in [t.id for t in await rig.system.unannounced_tasks()]
    # a redelivery, and a second message racing the same close, go there too, once
    assert await rig.system.add_comment(comment("c9", "Снова я")) is False
    await rig.system.add_comment(comment("c10", "Алло"))
    assert len(rig.ff_tasks()) == 2 and len(rig.ff_comments(successor.id)) == 2


async def test_a_message_written_before_a_close_made_here_stays_in_its_task(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    ff = await ff_task_of(rig)
    # a flow closed the task after the customer's message; the message is recorded after it
    await rig.system.update_task("t1", NOW + timedelta(seconds=1), fields={"status": CLOSED})
    await rig.system.add_comment(comment("c1", "Спасибо, до свидания"))
    assert [c.task_id for c in rig.ff_comments()] == [ff]
    later = NOW + timedelta(minutes=5)
    await rig.system.add_comment(comment("c2", "Ещё вопрос", at=later, order=order_of(later)))
    assert len(rig.ff_tasks()) == 2 and rig.ff_comments()[-1].task_id != ff


# ---- a task reopened in First Form -----------------------------------------------------------


async def test_a_task_reopened_in_first_form_is_followed_announced_and_polled_again(
    rig: FirstFormRig,
) -> None:
    rig.system.feed.closed_every_s = 0  # look at closed tasks every round
    await rig.system.create_task(task(status=MANAGER))
    [ff] = rig.ff_tasks()
    ff.state_id = 14
    await rig.system.pick_up()
    await rig.system.mark_announced("t1", 1)
    ff.state_id = 13  # a person reopened it in First Form
    rig.world.add_comment(ff.id, 101, "вернулась к вашему вопросу", None, [])
    [changed] = (await rig.system.pick_up()).tasks
    assert (changed.id, changed.status) == ("t1", MANAGER)
    assert [t.id for t in await rig.system.unannounced_tasks()] == ["t1"]
    assert [link.id async for link in first_form_ids.open_tasks(rig.db)] == ["t1"]
    [picked] = (await rig.system.pick_up()).comments
    assert picked.text == "вернулась к вашему вопросу"


async def test_a_task_reopened_in_first_form_after_the_chat_went_on_stays_closed_here(
    rig: FirstFormRig,
) -> None:
    rig.system.feed.closed_every_s = 0
    await rig.system.create_task(task("t1", status=MANAGER))
    [old] = rig.ff_tasks()
    old.state_id = 14
    await rig.system.pick_up()
    await rig.system.create_task(task("t2"))  # the customer wrote again: a new task
    old.state_id = 13
    assert (await rig.system.pick_up()).tasks == []
    kept = await rig.system.get_task("t1")
    assert kept is not None and kept.status == CLOSED
    assert (await rig.system.pick_up()).tasks == []  # seen once, not again each round
