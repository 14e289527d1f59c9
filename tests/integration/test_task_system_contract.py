"""The task-system port's contract, on MongoDB (or the stand-in) through ``MongoTaskSystem``,
on the in-memory ``FakeTaskSystem``, and on the First Form adapter over the sandbox's First
Form: what task-sync's use cases rely on. Running them all keeps the fake and the adapter
honest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from services.task_sync.application.ports import TaskSystem
from shared import events
from shared.domain.access import Viewer
from shared.domain.comments import Comment, Revision, order_of
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task
from shared.first_form.task_system import FirstFormTaskSystem
from shared.store import comments, files, revisions, tasks
from shared.store.task_system import MongoTaskSystem
from tests.fakes.task_sync import FakeTaskSystem
from tests.first_form_setup import first_form_rig

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # whole milliseconds: BSON dates keep no more
LATER = NOW + timedelta(minutes=1)
OPEN, CLOSED = "Диалог с менеджером", "Закрыта"


@pytest.fixture(params=["mongo", "fake", "first_form"])
async def store(request: pytest.FixtureRequest, db: Any) -> AsyncIterator[TaskSystem]:
    if request.param == "fake":
        yield FakeTaskSystem()
        return
    if request.param == "first_form":  # over the sandbox's First Form (issue 15)
        async with first_form_rig(db, system_class=_TasksFirst, FIRST_FORM_USERS="u1=101,u2=102",
                                  FIRST_FORM_GROUPS="g1=7,g2=8") as rig:
            yield rig.system
        return
    for module in (comments, files, revisions, tasks):
        await module.ensure_indexes(db)
    yield MongoTaskSystem(db)


class _TasksFirst(FirstFormTaskSystem):
    """In First Form a comment lives in a task that exists there; the cases below write
    comments into tasks they never created, so those tasks are created first."""

    async def add_comment(self, comment: Comment) -> bool:
        if await self.get_task(comment.task_id) is None:
            await self.create_task(task(comment.task_id))
        return await super().add_comment(comment)


def chat(chat_id: str = "79011112233") -> events.ChatRef:
    return events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                          chat_id=chat_id)


def task(task_id: str = "t1", *, status: str = OPEN, chat_id: str = "79011112233",
         created_at: datetime = NOW, **overrides: Any) -> Task:
    return Task(id=task_id, title=f"WhatsApp: {task_id}", category="Общение WhatsApp",
                status=status, chat=chat(chat_id), conversation_id=f"cv-{task_id}",
                created_at=created_at, updated_at=created_at, **overrides)


def comment(comment_id: str, *, task_id: str = "t1", at: datetime = NOW,
            **overrides: Any) -> Comment:
    fields: dict[str, Any] = {
        "id": comment_id, "task_id": task_id, "order": order_of(at), "at": at,
        "author_kind": "customer", "direction": "in", "text": f"text of {comment_id}",
    }
    return Comment(**(fields | overrides))


def outgoing(comment_id: str, **overrides: Any) -> Comment:
    """A bot's or a manager's message waiting to be sent, as task-sync records it."""
    fields: dict[str, Any] = {"author_kind": "user", "direction": "out",
                              "send_id": f"send-{comment_id}", "delivery": "queued",
                              "delivery_rank": 0}
    return comment(comment_id, **(fields | overrides))


def attachment(file_id: str, *, comment_id: str = "c1", task_id: str = "t1",
               state: str = "pending") -> AttachmentRecord:
    return AttachmentRecord(id=file_id, comment_id=comment_id, task_id=task_id,
                            file_name=f"{file_id}.pdf", mime_type="application/pdf",
                            state=state)  # type: ignore[arg-type]


def as_recorded(found: Task | None) -> dict[str, Any]:
    """A task's fields this port keeps (the inbox's activity fields are the inbox's; the
    request number is the task system's own)."""
    assert found is not None
    fields: dict[str, Any] = msgspec.to_builtins(found, builtin_types=(datetime,))
    for name in ("last_activity_at", "last_preview", "last_direction", "inbound_count",
                 "number"):
        fields.pop(name, None)
    return fields


async def stored(store: TaskSystem, comment_id: str) -> Comment:
    found = await store.get_comment(comment_id)
    assert found is not None
    return found


async def state_of(store: TaskSystem, file_id: str) -> str:
    [record] = [a for a in await store.attachments_of_task("t1") if a.id == file_id]
    return record.state


# ---- tasks ----------------------------------------------------------------------------------


async def test_created_task_reads_back_unchanged(store: TaskSystem) -> None:
    await store.create_task(task(contact_id="ct-1", phone="79011112233"))
    assert as_recorded(await store.get_task("t1")) == as_recorded(
        task(contact_id="ct-1", phone="79011112233"))


async def test_creating_a_task_again_keeps_the_first(store: TaskSystem) -> None:
    await store.create_task(task(status=OPEN))
    await store.create_task(task(status=CLOSED))
    found = await store.get_task("t1")
    assert found is not None and found.status == OPEN


async def test_a_task_created_announced_awaits_its_announcement(store: TaskSystem) -> None:
    await store.create_task(task("t1"), announce=True)
    await store.create_task(task("t2"))
    assert [t.id for t in await store.unannounced_tasks()] == ["t1"]


async def test_update_changes_fields_unsets_others_and_stamps_the_time(
    store: TaskSystem,
) -> None:
    await store.create_task(task(assignee_group_id="g1"))
    updated = await store.update_task("t1", LATER, fields={"assignee_user_id": "u1"},
                                      unset=("assignee_group_id",))
    assert updated is not None
    assert (updated.assignee_user_id, updated.assignee_group_id, updated.updated_at) == (
        "u1", None, LATER)
    assert as_recorded(await store.get_task("t1")) == as_recorded(updated)


async def test_update_of_an_unknown_task_returns_none(store: TaskSystem) -> None:
    assert await store.update_task("nope", LATER, fields={"status": OPEN}) is None


async def test_update_whose_status_precondition_fails_returns_none_and_changes_nothing(
    store: TaskSystem,
) -> None:
    await store.create_task(task(status=CLOSED))
    assert await store.update_task("t1", LATER, fields={"status": OPEN},
                                   if_status_in=[OPEN]) is None
    assert as_recorded(await store.get_task("t1")) == as_recorded(task(status=CLOSED))


async def test_update_whose_status_precondition_holds_applies(store: TaskSystem) -> None:
    await store.create_task(task(status=OPEN))
    updated = await store.update_task("t1", LATER, fields={"status": CLOSED},
                                      if_status_in=[OPEN, "Диалог с ботом"])
    assert updated is not None and updated.status == CLOSED


async def test_announced_update_bumps_the_status_version_and_awaits_announcement(
    store: TaskSystem,
) -> None:
    await store.create_task(task())
    updated = await store.update_task("t1", LATER, fields={"status": CLOSED}, announce=True)
    assert updated is not None and updated.status_version == 1
    assert [(t.id, t.status_version) for t in await store.unannounced_tasks()] == [("t1", 1)]


async def test_silent_update_neither_bumps_nor_awaits_announcement(store: TaskSystem) -> None:
    await store.create_task(task())
    updated = await store.update_task("t1", LATER, fields={"status": CLOSED})
    assert updated is not None and updated.status_version == 0
    assert await store.unannounced_tasks() == []


async def test_marking_the_current_version_announced_clears_the_announcement(
    store: TaskSystem,
) -> None:
    await store.create_task(task())
    await store.update_task("t1", LATER, fields={"status": CLOSED}, announce=True)
    await store.mark_announced("t1", 1)
    assert await store.unannounced_tasks() == []


async def test_marking_an_older_version_announced_keeps_a_newer_change_pending(
    store: TaskSystem,
) -> None:
    await store.create_task(task())
    await store.update_task("t1", LATER, fields={"status": CLOSED}, announce=True)
    await store.update_task("t1", LATER, fields={"status": OPEN}, announce=True)
    await store.mark_announced("t1", 1)
    assert [t.status_version for t in await store.unannounced_tasks()] == [2]


async def test_update_only_while_unassigned_applies_to_an_unassigned_task_only(
    store: TaskSystem,
) -> None:
    await store.create_task(task("free", assignee_group_id="g1"))
    await store.create_task(task("taken", assignee_user_id="u1"))
    claimed = await store.update_task("free", LATER, fields={"assignee_user_id": "u2"},
                                      if_unassigned=True)
    assert claimed is not None and claimed.assignee_user_id == "u2"
    assert await store.update_task("taken", LATER, fields={"assignee_user_id": "u2"},
                                   if_unassigned=True) is None
    taken = await store.get_task("taken")
    assert taken is not None and taken.assignee_user_id == "u1"


async def test_find_for_a_viewer_lists_only_the_tasks_they_may_see(store: TaskSystem) -> None:
    await store.create_task(task("mine", assignee_user_id="u1"))
    await store.create_task(task("queue", assignee_group_id="g1"))
    await store.create_task(task("theirs", assignee_user_id="u2"))
    await store.create_task(task("other-queue", assignee_group_id="g2"))
    manager = Viewer(user_id="u1", role="manager", group_ids=frozenset({"g1"}))
    admin = Viewer(user_id="a1", role="admin")
    assert sorted(t.id for t in await store.find_tasks(viewer=manager)) == ["mine", "queue"]
    assert len(await store.find_tasks(viewer=admin)) == 4


async def test_open_task_of_chat_is_the_newest_not_closed_one(store: TaskSystem) -> None:
    await store.create_task(task("old", status=OPEN, created_at=NOW))
    await store.create_task(task("new", status=OPEN, created_at=LATER))
    await store.create_task(task("done", status=CLOSED, created_at=LATER + LATER.resolution))
    await store.create_task(task("other", chat_id="79990000000", created_at=LATER))
    found = await store.open_task_of_chat(chat().key, CLOSED)
    assert found is not None and found.id == "new"


async def test_a_chat_with_only_closed_tasks_has_no_open_task(store: TaskSystem) -> None:
    await store.create_task(task(status=CLOSED))
    assert await store.open_task_of_chat(chat().key, CLOSED) is None


async def test_find_filters_by_status_and_assignee(store: TaskSystem) -> None:
    await store.create_task(task("t1", status=OPEN, assignee_user_id="u1"))
    await store.create_task(task("t2", status=OPEN, assignee_group_id="g1"))
    await store.create_task(task("t3", status=CLOSED, assignee_user_id="u1"))
    assert [t.id for t in await store.find_tasks(status=OPEN, assignee_user_id="u1")] == ["t1"]
    assert [t.id for t in await store.find_tasks(assignee_group_id="g1")] == ["t2"]


async def test_last_inbound_at_is_the_customers_newest_message_across_the_chats_tasks(
    store: TaskSystem,
) -> None:
    await store.create_task(task("t1", status=CLOSED))
    await store.create_task(task("t2"))
    await store.create_task(task("t3", chat_id="79990000000"))
    await store.add_comment(comment("c1", task_id="t1", at=NOW))
    await store.add_comment(comment("c2", task_id="t2", at=LATER))
    await store.add_comment(outgoing("c3", task_id="t2", at=LATER + timedelta(minutes=1)))
    await store.add_comment(comment("c4", task_id="t3", at=LATER + timedelta(minutes=2)))
    assert await store.last_inbound_at(chat().key) == LATER


async def test_a_chat_without_customer_messages_has_no_last_inbound_time(
    store: TaskSystem,
) -> None:
    await store.create_task(task())
    await store.add_comment(outgoing("c1"))
    assert await store.last_inbound_at(chat().key) is None
    assert await store.last_inbound_at("unknown:whatsapp:1") is None


# ---- recording comments ---------------------------------------------------------------------


async def test_added_comment_reads_back_unchanged_by_id_and_gateway_id(
    store: TaskSystem,
) -> None:
    recorded = comment("c1", gateway_message_id="gw-1", sender_name="Anna")
    assert await store.add_comment(recorded) is True
    assert await store.get_comment("c1") == recorded
    assert await store.comment_by_gateway_id("gw-1") == recorded


async def test_adding_the_same_comment_again_returns_false_and_keeps_the_first(
    store: TaskSystem,
) -> None:
    await store.add_comment(comment("c1", text="first"))
    assert await store.add_comment(comment("c1", text="again")) is False
    assert (await stored(store, "c1")).text == "first"


async def test_a_comment_carrying_a_recorded_gateway_id_is_refused(store: TaskSystem) -> None:
    await store.add_comment(comment("c1", gateway_message_id="gw-1"))
    assert await store.add_comment(comment("c2", gateway_message_id="gw-1")) is False
    assert await store.get_comment("c2") is None


async def test_comments_without_gateway_ids_do_not_collide(store: TaskSystem) -> None:
    assert await store.add_comment(comment("c1")) is True
    assert await store.add_comment(comment("c2")) is True


async def test_adding_several_counts_only_the_new_ones(store: TaskSystem) -> None:
    await store.add_comment(comment("c1"))
    assert await store.add_comments([comment("c1"), comment("c2"), comment("c3")]) == 2
    assert [c.id for c in await store.comments_of_task("t1")] == ["c1", "c2", "c3"]


async def test_comments_of_task_are_in_order_and_only_that_tasks(store: TaskSystem) -> None:
    times = [NOW + timedelta(microseconds=n) for n in (1, 2, 3)]
    for comment_id, at in reversed(list(zip(("z", "y", "x"), times, strict=True))):
        await store.add_comment(comment(comment_id, at=at))
    await store.add_comment(comment("elsewhere", task_id="t2"))
    assert [c.id for c in await store.comments_of_task("t1")] == ["z", "y", "x"]


async def test_an_unknown_gateway_id_finds_no_comment(store: TaskSystem) -> None:
    assert await store.comment_by_gateway_id("gw-unknown") is None


# ---- delivery status ------------------------------------------------------------------------


async def test_record_sent_of_an_unknown_comment_returns_false(store: TaskSystem) -> None:
    assert await store.record_sent("nope", "gw-1") is False
    assert await store.comment_by_gateway_id("gw-1") is None


async def test_record_sent_marks_it_sent_with_its_gateway_id(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    assert await store.record_sent("c1", "gw-1") is True
    found = await store.comment_by_gateway_id("gw-1")
    assert found is not None and (found.id, found.delivery, found.delivery_rank) == (
        "c1", "sent", 1)


async def test_record_sent_after_waiting_clears_the_failure_details(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "waiting", code="RATE_LIMITED", reason="busy",
                                retry_at=LATER)
    await store.record_sent("c1", "gw-1")
    found = await stored(store, "c1")
    assert (found.delivery, found.failure_code, found.failure_reason, found.retry_at) == (
        "sent", None, None, None)


async def test_record_sent_keeps_the_gateway_id_when_the_status_is_further_along(
    store: TaskSystem,
) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "delivered")
    assert await store.record_sent("c1", "gw-1") is True
    found = await store.comment_by_gateway_id("gw-1")
    assert found is not None and (found.id, found.delivery) == ("c1", "delivered")


async def test_record_sent_does_not_undo_a_failure_unless_after_one(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "failed", code="E1", reason="refused")
    assert await store.record_sent("c1", "gw-1") is True  # recorded, so not "not yet"
    assert (await stored(store, "c1")).delivery == "failed"


async def test_record_sent_after_failure_replaces_the_failure(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "failed", code="E1", reason="refused")
    assert await store.record_sent("c1", "gw-1", after_failure=True) is True
    found = await stored(store, "c1")
    assert (found.delivery, found.gateway_message_id, found.failure_code) == (
        "sent", "gw-1", None)


async def test_record_sent_after_failure_never_undoes_read(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1", gateway_message_id="gw-1"))
    await store.record_delivery("c1", "read")
    await store.record_sent("c1", "gw-1", after_failure=True)
    assert (await stored(store, "c1")).delivery == "read"


async def test_record_sent_takes_the_gateway_id_from_the_echo_of_its_own_send(
    store: TaskSystem,
) -> None:
    # the gateway echoed our send back as an employee's message before our result arrived
    await store.add_comment(outgoing("ours"))
    await store.add_comment(comment("echo", author_kind="user", direction="out",
                                    gateway_message_id="gw-1", delivery="sent",
                                    delivery_rank=1))
    assert await store.record_sent("ours", "gw-1") is True
    found = await store.comment_by_gateway_id("gw-1")
    assert found is not None and found.id == "ours"
    assert [c.id for c in await store.comments_of_task("t1")] == ["ours"]
    assert (await stored(store, "echo")).duplicate_of == "ours"


async def test_delivery_moves_forward_through_delivered_and_read(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_sent("c1", "gw-1")
    delivered = await store.record_delivery("c1", "delivered")
    assert delivered is not None and delivered.delivery == "delivered"
    read = await store.record_delivery("c1", "read")
    assert read is not None and (read.delivery, read.delivery_rank) == ("read", 3)


async def test_a_late_status_never_moves_delivery_back(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "read")
    assert await store.record_delivery("c1", "delivered") is None
    assert await store.record_delivery("c1", "sent") is None
    assert (await stored(store, "c1")).delivery == "read"


async def test_failed_after_sent_applies_with_its_reason(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_sent("c1", "gw-1")
    failed = await store.record_delivery("c1", "failed", code="E1", reason="blocked")
    assert failed is not None
    assert (failed.delivery, failed.failure_code, failed.failure_reason) == (
        "failed", "E1", "blocked")


async def test_failed_after_delivered_is_stale_and_does_not_apply(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "delivered")
    assert await store.record_delivery("c1", "failed", code="E1", reason="late") is None
    found = await stored(store, "c1")
    assert (found.delivery, found.failure_code) == ("delivered", None)


async def test_waiting_applies_only_while_queued(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1"))
    await store.add_comment(outgoing("c2"))
    await store.record_sent("c2", "gw-2")
    waiting = await store.record_delivery("c1", "waiting", code="RATE_LIMITED",
                                          reason="busy", retry_at=LATER)
    assert waiting is not None
    assert (waiting.delivery, waiting.failure_code, waiting.retry_at) == (
        "waiting", "RATE_LIMITED", LATER)
    assert await store.record_delivery("c2", "waiting", reason="retry") is None


async def test_delivery_of_an_unknown_or_incoming_comment_matches_nothing(
    store: TaskSystem,
) -> None:
    await store.add_comment(comment("in-1"))
    assert await store.record_delivery("nope", "sent") is None
    assert await store.record_delivery("in-1", "read") is None


# ---- resend ---------------------------------------------------------------------------------


async def test_reset_for_resend_puts_a_failed_comment_back_in_the_outbox(
    store: TaskSystem,
) -> None:
    await store.add_comment(outgoing("c1"))
    await store.record_delivery("c1", "failed", code="E1", reason="refused")
    assert await store.reset_for_resend("c1", "attempt-2") is True
    found = await stored(store, "c1")
    assert (found.delivery, found.delivery_rank, found.outbox, found.send_attempt,
            found.failure_code) == ("queued", 0, True, "attempt-2", None)


async def test_reset_for_resend_after_the_first_part_went_out_is_sent(
    store: TaskSystem,
) -> None:
    await store.add_comment(outgoing("c1", gateway_message_id="gw-1", delivery="failed",
                                     delivery_rank=4))
    assert await store.reset_for_resend("c1", "attempt-2", first_part_sent=True) is True
    found = await stored(store, "c1")
    assert (found.delivery, found.delivery_rank) == ("sent", 1)


@pytest.mark.parametrize("status", ["queued", "sent", "read"])
async def test_reset_for_resend_refuses_a_comment_that_has_not_failed(
    store: TaskSystem, status: str,
) -> None:
    await store.add_comment(outgoing("c1"))
    if status != "queued":
        await store.record_delivery("c1", status)
    assert await store.reset_for_resend("c1", "attempt-2") is False
    found = await stored(store, "c1")
    assert (found.delivery, found.send_attempt, found.outbox) == (status, None, None)


async def test_sent_parts_are_the_first_once_it_has_its_id_and_each_later_part_recorded(
    store: TaskSystem,
) -> None:
    await store.add_comment(outgoing("c1"))
    assert await store.sent_parts(await stored(store, "c1")) == set()
    await store.record_part_sent("c1", "gw-file", 2)
    await store.record_sent("c1", "gw-text")
    assert await store.sent_parts(await stored(store, "c1")) == {0, 2}
    found = await store.comment_by_gateway_id("gw-file")
    assert found is not None and found.id == "c1"


# ---- outbox ---------------------------------------------------------------------------------


async def test_unsent_people_comments_are_the_flagged_ones_older_than_the_time(
    store: TaskSystem,
) -> None:
    await store.add_comment(outgoing("old", at=NOW, outbox=True))
    await store.add_comment(outgoing("new", at=LATER, outbox=True))
    await store.add_comment(outgoing("done", at=NOW))
    assert [c.id for c in await store.unsent_people_comments(NOW + timedelta(seconds=1))] == [
        "old"]


async def test_a_tasks_unsent_comments_are_found_however_many_other_tasks_have(
    store: TaskSystem,
) -> None:
    """A new comment goes after the task's earlier unpublished one even while a hundred
    comments of other tasks wait for publishing too (the global look-up stops at 100)."""
    for n in range(101):
        await store.add_comment(outgoing(f"x{n}", task_id="t-other", at=NOW, outbox=True))
    await store.add_comment(outgoing("mine", task_id="t1", at=NOW, outbox=True))
    assert [c.id for c in await store.unsent_people_comments(LATER, "t1")] == ["mine"]
    assert await store.unsent_people_comments(LATER, "t-none") == []


async def test_mark_published_clears_the_flags(store: TaskSystem) -> None:
    await store.add_comment(outgoing("c1", outbox=True))
    await store.add_comment(outgoing("c2", outbox=True))
    await store.mark_published(["c1", "unknown"])
    assert [c.id for c in await store.unsent_people_comments(LATER)] == ["c2"]
    assert (await stored(store, "c1")).outbox is None


# ---- revisions ------------------------------------------------------------------------------


async def test_a_revision_is_added_once_and_listed_in_time_order(store: TaskSystem) -> None:
    second = Revision(id="r2", comment_id="c1", kind="deleted", at=LATER)
    first = Revision(id="r1", comment_id="c1", kind="edited", at=NOW, text="fixed")
    assert await store.add_revision(second) is True
    assert await store.add_revision(first) is True
    assert await store.add_revision(first) is False
    assert await store.revisions_of("c1") == [first, second]


async def test_mark_revised_keeps_the_original_text_and_shows_the_change(
    store: TaskSystem,
) -> None:
    await store.add_comment(comment("c1", text="orignal"))
    await store.add_comment(comment("c2"))
    await store.mark_revised("c1", deleted=False, text="original")
    await store.mark_revised("c2", deleted=True, text="")
    edited, deleted = await stored(store, "c1"), await stored(store, "c2")
    assert (edited.text, edited.edited, edited.current_text) == ("orignal", True, "original")
    assert (deleted.deleted, deleted.edited) == (True, None)


# ---- attachments ----------------------------------------------------------------------------


async def test_an_attachment_is_recorded_once(store: TaskSystem) -> None:
    await store.add_attachment(attachment("f1"))
    await store.add_attachment(attachment("f1", state="stored"))
    assert await store.attachments_of_comment("c1") == [attachment("f1")]


async def test_an_attachment_reads_back_by_its_id(store: TaskSystem) -> None:
    await store.add_attachment(attachment("f1"))
    assert await store.get_attachment("f1") == attachment("f1")
    assert await store.get_attachment("nope") is None


async def test_attachments_are_listed_by_comment_and_by_task(store: TaskSystem) -> None:
    for record in (attachment("f2"), attachment("f1"), attachment("f3", comment_id="c2"),
                   attachment("f4", comment_id="c9", task_id="t9")):
        await store.add_attachment(record)
    assert [a.id for a in await store.attachments_of_comment("c1")] == ["f1", "f2"]
    assert sorted(a.id for a in await store.attachments_of_task("t1")) == ["f1", "f2", "f3"]


async def test_storing_an_attachment_records_its_size_and_type(store: TaskSystem) -> None:
    await store.add_attachment(attachment("f1"))
    assert await store.set_attachment_state("f1", "stored", size=3, mime_type="image/png")
    [record] = await store.attachments_of_comment("c1")
    assert (record.state, record.size, record.mime_type) == ("stored", 3, "image/png")


async def test_a_failure_records_its_reason_and_a_later_success_clears_it(
    store: TaskSystem,
) -> None:
    await store.add_attachment(attachment("f1"))
    assert await store.set_attachment_state("f1", "waiting", reason="busy", retry_at=LATER)
    [waiting] = await store.attachments_of_comment("c1")
    assert (waiting.state, waiting.reason, waiting.retry_at) == ("waiting", "busy", LATER)
    assert await store.set_attachment_state("f1", "stored", size=3)
    [stored_one] = await store.attachments_of_comment("c1")
    assert (stored_one.state, stored_one.reason, stored_one.retry_at) == ("stored", None, None)


@pytest.mark.parametrize("late", ["pending", "waiting", "failed"])
async def test_a_stored_attachment_never_moves_back(store: TaskSystem, late: str) -> None:
    await store.add_attachment(attachment("f1"))
    await store.set_attachment_state("f1", "stored", size=3)
    assert await store.set_attachment_state("f1", late, reason="late") is True  # type: ignore[arg-type]
    assert await state_of(store, "f1") == "stored"


async def test_the_state_of_an_unknown_attachment_is_not_recorded(store: TaskSystem) -> None:
    assert await store.set_attachment_state("nope", "stored", size=3) is False
    assert await store.set_attachment_state("nope", "failed", reason="gone") is False


# ---- request numbers and flow fields (issue 12) ---------------------------------------------


async def test_a_created_task_is_found_by_its_request_number(
    store: TaskSystem, request: pytest.FixtureRequest,
) -> None:
    if isinstance(store, FakeTaskSystem):
        pytest.skip("the fake keeps the number a test gives the task")
    await store.create_task(task())
    created = await store.get_task("t1")
    assert created is not None and isinstance(created.number, int)
    found = await store.task_by_number(created.number)
    assert found is not None and found.id == "t1"
    assert await store.task_by_number(created.number + 10**6) is None


async def test_a_field_set_on_a_task_reads_back(store: TaskSystem) -> None:
    await store.create_task(task())
    updated = await store.set_field("t1", "order_number", "123456")
    assert updated is not None and updated.fields == {"order_number": "123456"}
    found = await store.get_task("t1")
    assert found is not None and found.fields == {"order_number": "123456"}
    assert await store.set_field("t-missing", "order_number", "1") is None
