"""Tasks on MongoDB (or the stand-in): idempotent creation, filters, the status outbox flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import events
from shared.store import tasks
from shared.store.tasks import Task

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


def task(task_id: str, **overrides: Any) -> Task:
    fields: dict[str, Any] = {
        "id": task_id, "title": f"WhatsApp: {task_id}", "category": "WhatsApp",
        "status": "bot", "conversation_id": f"conv-{task_id}", "created_at": NOW,
        "updated_at": NOW, "phone": "79011112233",
        "chat": events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                               chat_id=task_id),
    }
    return Task(**(fields | overrides))


@pytest.fixture
async def db(db: Any) -> Any:
    await tasks.ensure_indexes(db)
    return db


async def test_created_task_reads_back_unchanged(db: Any) -> None:
    created = task("t1", assignee_group_id="g1")
    await tasks.create(db, created)
    assert await tasks.get(db, "t1") == created


async def test_creating_a_task_again_keeps_the_first_and_stores_one(db: Any) -> None:
    await tasks.create(db, task("t1", title="first"))
    await tasks.create(db, task("t1", title="redelivered", status="manager"))

    stored = await tasks.get(db, "t1")
    assert stored is not None and (stored.title, stored.status) == ("first", "bot")
    assert await db.tasks.count_documents({}) == 1


async def test_unknown_task_reads_as_none(db: Any) -> None:
    assert await tasks.get(db, "nope") is None


async def test_find_filters_by_status(db: Any) -> None:
    await tasks.create(db, task("t1", status="bot"))
    await tasks.create(db, task("t2", status="manager"))
    await tasks.create(db, task("t3", status="manager"))

    assert {t.id for t in await tasks.find(db, status="manager")} == {"t2", "t3"}
    assert {t.id for t in await tasks.find(db)} == {"t1", "t2", "t3"}


async def test_find_filters_by_assignee_user_and_group(db: Any) -> None:
    await tasks.create(db, task("t1", assignee_user_id="u1"))
    await tasks.create(db, task("t2", assignee_user_id="u2"))
    await tasks.create(db, task("t3", assignee_group_id="g1"))
    await tasks.create(db, task("t4", assignee_user_id="u1", status="closed"))

    assert {t.id for t in await tasks.find(db, assignee_user_id="u1")} == {"t1", "t4"}
    assert {t.id for t in await tasks.find(db, assignee_group_id="g1")} == {"t3"}
    assert [t.id for t in await tasks.find(db, assignee_user_id="u1", status="bot")] == ["t1"]


async def test_find_pages_with_limit_and_offset(db: Any) -> None:
    for n in range(5):
        await tasks.create(db, task(f"t{n}"))
    first = await tasks.find(db, limit=2)
    rest = await tasks.find(db, limit=10, offset=2)
    assert len(first) == 2 and len(rest) == 3
    assert {t.id for t in first} | {t.id for t in rest} == {f"t{n}" for n in range(5)}


async def test_update_changes_fields_and_unsets_others(db: Any) -> None:
    await tasks.create(db, task("t1", assignee_group_id="g1"))
    updated = await tasks.update(db, "t1", LATER, fields={"status": "manager",
                                                          "assignee_user_id": "u1"},
                                 unset=("assignee_group_id",))
    assert updated is not None
    assert (updated.status, updated.assignee_user_id, updated.assignee_group_id) == (
        "manager", "u1", None)
    assert await tasks.get(db, "t1") == updated


async def test_update_of_unknown_task_returns_none(db: Any) -> None:
    assert await tasks.update(db, "nope", LATER, fields={"status": "manager"}) is None
    assert await db.tasks.count_documents({}) == 0


async def test_announced_update_flags_the_task_and_bumps_its_status_version(db: Any) -> None:
    await tasks.create(db, task("t1"))
    updated = await tasks.update(db, "t1", LATER, fields={"status": "closed"}, announce=True)

    assert updated is not None and updated.status_version == 1
    assert [t.id for t in await tasks.pending_announcements(db)] == ["t1"]


async def test_silent_update_neither_flags_nor_bumps(db: Any) -> None:
    await tasks.create(db, task("t1"))
    updated = await tasks.update(db, "t1", LATER, fields={"status": "manager"})

    assert updated is not None and updated.status_version == 0
    assert await tasks.pending_announcements(db) == []


async def test_announced_clears_the_flag_of_that_version(db: Any) -> None:
    await tasks.create(db, task("t1"))
    await tasks.update(db, "t1", LATER, fields={"status": "closed"}, announce=True)

    await tasks.announced(db, "t1", 1)
    assert await tasks.pending_announcements(db) == []


async def test_announcing_an_older_version_keeps_a_newer_change_pending(db: Any) -> None:
    await tasks.create(db, task("t1"))
    await tasks.update(db, "t1", LATER, fields={"status": "manager"}, announce=True)
    await tasks.update(db, "t1", LATER, fields={"status": "closed"}, announce=True)

    await tasks.announced(db, "t1", 1)  # the publisher of version 1 finishes late
    pending = await tasks.pending_announcements(db)
    assert [(t.id, t.status, t.status_version) for t in pending] == [("t1", "closed", 2)]


# ---- request numbers and flow fields (issue 12) ---------------------------------------------


async def test_numbered_tasks_get_consecutive_numbers_found_by_number(db: Any) -> None:
    for task_id in ("t1", "t2", "t3"):
        await tasks.create(db, task(task_id), numbered=True)
    numbers = [(await tasks.get(db, t)).number for t in ("t1", "t2", "t3")]  # type: ignore[union-attr]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    found = await tasks.by_number(db, numbers[1])
    assert found is not None and found.id == "t2"
    assert await tasks.by_number(db, 10**9) is None


async def test_a_field_is_stored_on_the_task_and_read_back(db: Any) -> None:
    await tasks.create(db, task("t1"))
    await tasks.set_field(db, "t1", "order_number", "123456")
    updated = await tasks.set_field(db, "t1", "email", "a@b.ru")
    assert updated is not None and updated.fields == {"order_number": "123456",
                                                      "email": "a@b.ru"}
    assert await tasks.set_field(db, "missing", "email", "x") is None
