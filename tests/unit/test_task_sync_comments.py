"""task-sync's comment use cases against fakes: a manager's comment, its files, the outbox, and
the resend of a failed one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.task_sync.application.commands import PostComment, Resend
from services.task_sync.application.comments import post_comment, resend
from services.task_sync.application.errors import Conflict, Forbidden, Invalid, NotFound
from services.task_sync.application.outgoing import flush_published, sweep_once
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.directory import User
from shared.domain.files import AttachmentRecord, Upload
from shared.domain.outgoing import send_id
from shared.domain.tasks import Task
from tests.fakes.task_sync import FakeTaskSync, a_chat, a_task, an_actor, settings

MARIA = User(id="usr-maria", full_name="Иванова Мария", role="admin")
AS_MARIA = an_actor(MARIA)
SIGNED = "*Иванова Мария*:\nДобрый день"
PDF = Upload(file_name="invoice.pdf", mime_type="application/pdf", content=b"%PDF-1.7")
PNG = Upload(file_name="photo.png", mime_type="image/png", content=b"\x89PNG")


async def world_with_task(provider: str = "wazzup", *, status: str | None = None,
                          **config: str) -> tuple[FakeTaskSync, Task]:
    ts = FakeTaskSync(config=settings(**config))
    task = a_task(chat=a_chat(provider), status=status)
    await ts.tasks.create_task(task)
    return ts, task


async def customer_wrote(ts: FakeTaskSync, task: Task, ago: timedelta) -> None:
    at = events.utcnow() - ago
    await ts.tasks.add_comment(Comment(id=f"in-{ago}", task_id=task.id, order=order_of(at),
                                       at=at, author_kind="customer", direction="in",
                                       text="Здравствуйте"))


def comment_cmd(task: Task, text: str = "Добрый день", **fields: Any) -> PostComment:
    return PostComment(task_id=task.id, actor=AS_MARIA, text=text, **fields)


def outgoing(comment_id: str, task: Task, **fields: Any) -> Comment:
    at = events.utcnow()
    return Comment(id=comment_id, task_id=task.id, order=order_of(at), at=at,
                   author_kind="user", direction="out", text="Счёт",
                   author_user_id=MARIA.id, author_name=MARIA.full_name,
                   send_id=send_id(comment_id, 0), **fields)


def stored_nothing(ts: FakeTaskSync) -> bool:
    return not ts.files.stored and not ts.tasks.attachments and not ts.bus.sends() and all(
        c.direction == "in" for c in ts.tasks.comments.values())


# ---- a manager's comment --------------------------------------------------------------------


async def test_post_comment_records_the_comment_with_an_outbox_flag() -> None:
    ts, task = await world_with_task()
    posted = await post_comment(ts.deps, comment_cmd(task))

    stored = ts.tasks.comments[posted.comment.id]
    assert (stored.task_id, stored.author_user_id, stored.delivery, stored.outbox) == (
        task.id, MARIA.id, "queued", True)
    assert posted.created is True


async def test_post_comment_publishes_its_send_signed_with_the_managers_name() -> None:
    ts, task = await world_with_task()
    posted = await post_comment(ts.deps, comment_cmd(task))

    [sent] = ts.bus.sends()
    assert (sent.text, sent.comment_id, sent.chat, sent.id) == (
        SIGNED, posted.comment.id, task.chat, send_id(posted.comment.id, 0))


async def test_post_comment_marks_it_published_and_the_flush_clears_the_flag() -> None:
    ts, task = await world_with_task()
    posted = await post_comment(ts.deps, comment_cmd(task))
    assert posted.comment.outbox is None
    assert ts.deps.outbox.published == {posted.comment.id}

    await flush_published(ts.deps)
    assert ts.tasks.comments[posted.comment.id].outbox is None


async def test_post_comment_of_an_unknown_task_is_not_found() -> None:
    ts = FakeTaskSync()
    with pytest.raises(NotFound):
        await post_comment(ts.deps, comment_cmd(a_task("nope")))


async def test_a_manager_who_only_sees_the_task_in_his_queue_is_refused_and_stores_no_file(
) -> None:
    ts, task = await world_with_task()
    await ts.tasks.update_task(task.id, events.utcnow(), fields={"assignee_group_id": "g-cc"})
    someone = an_actor(User(id="usr-petr", full_name="Пётр", role="manager",
                            group_ids=["g-cc"]))
    with pytest.raises(Forbidden):
        await post_comment(ts.deps, PostComment(task_id=task.id, actor=someone, text="Hi",
                                                uploads=[PDF]))
    assert stored_nothing(ts)


async def test_a_comment_without_text_or_files_is_invalid() -> None:
    ts, task = await world_with_task()
    with pytest.raises(Invalid) as refused:
        await post_comment(ts.deps, comment_cmd(task, text="  "))
    assert refused.value.error == "empty_comment"
    assert stored_nothing(ts)


async def test_a_comment_in_a_closed_task_is_refused_and_stores_no_file() -> None:
    ts, task = await world_with_task(status=settings().wabridge_status_closed)
    with pytest.raises(Conflict) as refused:
        await post_comment(ts.deps, comment_cmd(task, uploads=[PDF]))
    assert refused.value.error == "task_closed"
    assert stored_nothing(ts)


async def test_free_text_on_a_meta_chat_with_a_closed_window_is_refused_and_stores_no_file(
) -> None:
    ts, task = await world_with_task("meta")
    await customer_wrote(ts, task, timedelta(hours=25))
    with pytest.raises(Invalid) as refused:
        await post_comment(ts.deps, comment_cmd(task, uploads=[PDF]))
    assert refused.value.error == "window_closed"
    assert stored_nothing(ts)


async def test_free_text_on_a_meta_chat_goes_out_within_the_window() -> None:
    ts, task = await world_with_task("meta")
    await customer_wrote(ts, task, timedelta(hours=23))
    await post_comment(ts.deps, comment_cmd(task))
    assert [s.text for s in ts.bus.sends()] == [SIGNED]


async def test_a_wazzup_chat_has_no_window_to_check() -> None:
    ts, task = await world_with_task("wazzup")
    await post_comment(ts.deps, comment_cmd(task))  # the customer never wrote: still allowed
    assert len(ts.bus.sends()) == 1


# ---- quoting --------------------------------------------------------------------------------


async def test_a_reply_to_a_comment_of_another_task_is_invalid_and_stores_nothing() -> None:
    ts, task = await world_with_task()
    other = a_task("t2")
    await ts.tasks.create_task(other)
    await ts.tasks.add_comment(outgoing("elsewhere", other, gateway_message_id="gw-9"))
    with pytest.raises(Invalid) as refused:
        await post_comment(ts.deps, comment_cmd(task, reply_to="elsewhere", uploads=[PDF]))
    assert refused.value.error == "bad_reply_to"
    assert not ts.files.stored and not ts.bus.sends()
    assert set(ts.tasks.comments) == {"elsewhere"}


async def test_a_reply_to_a_comment_not_yet_delivered_is_a_conflict() -> None:
    ts, task = await world_with_task()
    await ts.tasks.add_comment(outgoing("quoted", task))  # no WhatsApp id yet
    with pytest.raises(Conflict) as refused:
        await post_comment(ts.deps, comment_cmd(task, reply_to="quoted", uploads=[PDF]))
    assert refused.value.error == "not_yet_delivered"
    assert not ts.files.stored and not ts.bus.sends()


async def test_a_reply_quotes_the_whatsapp_id_of_the_comment_it_answers() -> None:
    ts, task = await world_with_task()
    await ts.tasks.add_comment(outgoing("quoted", task, gateway_message_id="gw-7"))
    await post_comment(ts.deps, comment_cmd(task, reply_to="quoted"))
    [sent] = ts.bus.sends()
    assert sent.reply_to_gateway_message_id == "gw-7"


# ---- idempotency ----------------------------------------------------------------------------


async def test_a_repeated_idempotency_key_returns_the_earlier_comment_and_publishes_nothing(
) -> None:
    ts, task = await world_with_task()
    first = await post_comment(ts.deps, comment_cmd(task, idempotency_key="key-1"))
    again = await post_comment(ts.deps, comment_cmd(task, idempotency_key="key-1"))

    assert (again.created, again.comment.id) == (False, first.comment.id)
    assert len(ts.bus.sends()) == 1
    assert len([c for c in ts.tasks.comments.values() if c.direction == "out"]) == 1


async def test_a_repeated_idempotency_key_returns_the_earlier_comment_after_the_task_closed(
) -> None:
    ts, task = await world_with_task()
    first = await post_comment(ts.deps, comment_cmd(task, idempotency_key="key-1"))
    await ts.tasks.update_task(task.id, events.utcnow(),
                               fields={"status": settings().wabridge_status_closed})
    again = await post_comment(ts.deps, comment_cmd(task, idempotency_key="key-1"))
    assert (again.created, again.comment.id) == (False, first.comment.id)


async def test_a_repeated_idempotency_key_returns_the_earlier_comments_files() -> None:
    ts, task = await world_with_task()
    first = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF], idempotency_key="k"))
    again = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF], idempotency_key="k"))
    assert [a.id for a in again.attachments] == [a.id for a in first.attachments]
    assert len(ts.files.stored) == 1


# ---- the outbox -----------------------------------------------------------------------------


async def test_a_publish_failure_leaves_the_outbox_flag_and_wakes_the_sweeper() -> None:
    ts, task = await world_with_task()
    ts.bus.fail_next(only=events.SendMessage)
    posted = await post_comment(ts.deps, comment_cmd(task))

    assert posted.comment.outbox is True
    assert ts.tasks.comments[posted.comment.id].outbox is True
    assert ts.deps.outbox.pending.is_set()
    assert ts.deps.outbox.published == set()
    assert ts.bus.sends() == []


async def test_the_sweeper_publishes_the_sends_a_failed_publish_left_under_the_same_ids(
) -> None:
    ts, task = await world_with_task(WABRIDGE_OUTBOX_SWEEP_SECONDS="0")
    ts.bus.fail_next(after=1, only=events.SendMessage)  # the text went, the file did not
    posted = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF]))
    planned = [send_id(posted.comment.id, part) for part in (0, 1)]
    assert [s.id for s in ts.bus.sends()] == planned[:1]

    assert await sweep_once(ts.deps) == 1
    assert [s.id for s in ts.bus.sends()] == [planned[0], *planned]  # the repeat drops by id
    assert ts.tasks.comments[posted.comment.id].outbox is None
    assert await sweep_once(ts.deps) == 0
    assert len(ts.bus.sends()) == 3


async def test_the_sweeper_waits_out_the_grace_period_of_a_fresh_comment() -> None:
    ts, task = await world_with_task(WABRIDGE_OUTBOX_SWEEP_SECONDS="60")
    ts.bus.fail_next(only=events.SendMessage)
    await post_comment(ts.deps, comment_cmd(task))
    assert await sweep_once(ts.deps) == 0  # its own publish may still be on the way
    assert ts.bus.sends() == []


# ---- files ----------------------------------------------------------------------------------


async def test_files_on_wazzup_go_as_separate_parts_after_the_text() -> None:
    ts, task = await world_with_task("wazzup")
    posted = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF, PNG]))

    parts = [(s.part, s.text, s.attachment.file_name if s.attachment else None)
             for s in ts.bus.sends()]
    assert parts == [(0, SIGNED, None), (1, "", "invoice.pdf"), (2, "", "photo.png")]
    assert posted.comment.parts == 3


async def test_files_on_meta_carry_the_text_as_the_first_files_caption() -> None:
    ts, task = await world_with_task("meta")
    await customer_wrote(ts, task, timedelta(hours=1))
    posted = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF, PNG]))

    parts = [(s.part, s.text, s.attachment.file_name if s.attachment else None)
             for s in ts.bus.sends()]
    assert parts == [(0, SIGNED, "invoice.pdf"), (1, "", "photo.png")]
    assert posted.comment.parts == 2


async def test_uploaded_files_are_stored_and_linked_to_the_comment() -> None:
    ts, task = await world_with_task()
    posted = await post_comment(ts.deps, comment_cmd(task, uploads=[PDF]))

    [record] = await ts.tasks.attachments_of_comment(posted.comment.id)
    assert (record.state, record.size, record.file_name) == ("stored", len(PDF.content),
                                                             "invoice.pdf")
    assert ts.files.stored[record.id][1] == PDF.content
    [_, file_part] = ts.bus.sends()
    assert file_part.attachment is not None and file_part.attachment.file_id == record.id


# ---- resend ---------------------------------------------------------------------------------


async def failed_after_its_text_went_out(ts: FakeTaskSync, task: Task) -> Comment:
    """A comment whose text (part 0) the gateway accepted and whose file it refused."""
    await ts.tasks.add_attachment(AttachmentRecord(
        id="f1", comment_id="cm1", task_id=task.id, file_name="invoice.pdf",
        mime_type="application/pdf", state="stored", size=8))
    comment = outgoing("cm1", task, gateway_message_id="gw-text", delivery="failed",
                       delivery_rank=4, parts=2, failure_reason="file refused")
    await ts.tasks.add_comment(comment)
    return comment


async def test_resend_of_a_failed_comment_whose_text_went_out_sends_only_the_file() -> None:
    ts, task = await world_with_task()
    await failed_after_its_text_went_out(ts, task)

    again = await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    [sent] = ts.bus.sends()
    assert (sent.part, sent.attachment.file_id if sent.attachment else None) == (1, "f1")
    assert again.send_attempt is not None
    assert sent.id == send_id("cm1", 1, again.send_attempt) != send_id("cm1", 1)
    assert (again.delivery, again.failure_reason) == ("sent", None)  # the text did arrive


async def test_each_resend_gets_new_send_ids() -> None:
    ts, task = await world_with_task()
    await failed_after_its_text_went_out(ts, task)
    await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    await ts.tasks.record_delivery("cm1", "failed", reason="refused again")
    await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    first, second = ts.bus.sends()
    assert first.id != second.id


async def test_resend_of_a_comment_that_has_not_failed_is_refused() -> None:
    ts, task = await world_with_task()
    await ts.tasks.add_comment(outgoing("cm1", task, delivery="sent", delivery_rank=1,
                                        gateway_message_id="gw-1"))
    with pytest.raises(Conflict) as refused:
        await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    assert refused.value.error == "not_failed"
    assert ts.bus.sends() == []
    assert ts.tasks.comments["cm1"].send_attempt is None


async def test_resend_of_a_comment_that_has_not_failed_is_refused_before_the_window_check(
) -> None:
    ts, task = await world_with_task("meta")  # the customer never wrote: the window is closed
    await ts.tasks.add_comment(outgoing("cm1", task, delivery="read", delivery_rank=3,
                                        gateway_message_id="gw-1"))
    with pytest.raises(Conflict) as refused:
        await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    assert refused.value.error == "not_failed"


async def test_resend_of_a_comment_of_another_task_is_not_found() -> None:
    ts, task = await world_with_task()
    other = a_task("t2")
    await ts.tasks.create_task(other)
    await ts.tasks.add_comment(outgoing("cm1", other, delivery="failed", delivery_rank=4))
    with pytest.raises(NotFound):
        await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    assert ts.bus.sends() == []


async def test_a_resend_whose_publish_failed_is_swept_without_the_part_that_arrived() -> None:
    ts, task = await world_with_task(WABRIDGE_OUTBOX_SWEEP_SECONDS="0")
    await failed_after_its_text_went_out(ts, task)
    ts.bus.fail_next(only=events.SendMessage)
    again = await resend(ts.deps, Resend(task_id=task.id, comment_id="cm1", actor=AS_MARIA))
    assert ts.bus.sends() == [] and ts.tasks.comments["cm1"].outbox is True

    assert await sweep_once(ts.deps) == 1
    assert [s.id for s in ts.bus.sends()] == [send_id("cm1", 1, again.send_attempt)]
