"""A person's notices as the console's bell reads them: the unread count, marking some or all
read (one's own only), over the fake desk and over the real store."""

from __future__ import annotations

from typing import Any

import pytest

from services.task_sync.application import notices
from services.task_sync.application.errors import Invalid
from services.task_sync.application.notify import tell
from shared.domain.desk import Notice
from shared.domain.directory import User
from shared.store import notices as notice_store
from tests.fakes.desk import FakeDesk
from tests.fakes.task_sync import FakeDirectory, FakeTaskSystem, a_task, an_actor, fake_deps

ANNA = User(id="usr-anna", full_name="Анна Ким")
BORIS = User(id="usr-boris", full_name="Борис Ли")


async def _told_twice() -> tuple[Any, list[Notice]]:
    tasks, directory = FakeTaskSystem(), FakeDirectory()
    deps = fake_deps(tasks=tasks, directory=directory, desk=FakeDesk(tasks, directory))
    task = a_task("t-1")
    await tell(deps, "task.forwarded", task, [ANNA.id, BORIS.id], "cause-1", "forwarded")
    await tell(deps, "sla.breached", task, [ANNA.id], "cause-2", "deadline missed")
    return deps, (await notices.notices_of(deps, an_actor(ANNA), 50)).items


async def test_marking_one_notice_read_leaves_the_others_unread() -> None:
    deps, mine = await _told_twice()
    assert [n.kind for n in mine] == ["sla.breached", "task.forwarded"]

    assert await notices.mark_read(deps, an_actor(ANNA), [mine[0].id]) == 1

    after = await notices.notices_of(deps, an_actor(ANNA), 50)
    assert after.unread == 1
    assert [n.read for n in after.items] == [True, False]
    assert (await notices.notices_of(deps, an_actor(BORIS), 50)).unread == 1


async def test_marking_all_read_touches_only_my_own_notices() -> None:
    deps, _ = await _told_twice()
    boris_ids = [n.id for n in (await notices.notices_of(deps, an_actor(BORIS), 50)).items]

    assert await notices.mark_read(deps, an_actor(ANNA), boris_ids) == 0
    assert await notices.mark_read(deps, an_actor(ANNA), None) == 2
    assert await notices.mark_read(deps, an_actor(ANNA), None) == 0

    assert (await notices.notices_of(deps, an_actor(ANNA), 50)).unread == 0
    assert (await notices.notices_of(deps, an_actor(BORIS), 50)).unread == 1


async def test_marking_no_ids_is_refused() -> None:
    deps, _ = await _told_twice()
    with pytest.raises(Invalid):
        await notices.mark_read(deps, an_actor(ANNA), [])


async def test_the_store_counts_and_marks_a_persons_unread_notices(db: Any) -> None:
    task = a_task("t-1")
    for n, user in enumerate((ANNA, ANNA, BORIS)):
        await notice_store.add(db, Notice(id=f"n-{n}", user_id=user.id, at=task.created_at,
                                          kind="sla.breached", task_id=task.id, text="late"))
    await db.notices.insert_one({"_id": "n-old", "user_id": ANNA.id,
                                 "at": "2026-01-01T00:00:00.000000Z",
                                 "kind": "task.forwarded", "task_id": task.id, "text": "old"})

    assert await notice_store.unread_count(db, ANNA.id) == 3
    assert await notice_store.mark_read(db, ANNA.id, ["n-0", "n-2"]) == 1
    assert await notice_store.unread_count(db, ANNA.id) == 2
    assert await notice_store.mark_read(db, ANNA.id, None) == 2
    assert await notice_store.unread_count(db, ANNA.id) == 0
    assert await notice_store.unread_count(db, BORIS.id) == 1
    assert all(n.read for n in await notice_store.of_user(db, ANNA.id))
