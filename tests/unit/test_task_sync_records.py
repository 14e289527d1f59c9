"""task-sync's bus handlers against fakes: what the bot and the gateways record in tasks, what
became of the sends and files, and the dispatch table."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, get_args

import msgspec
import pytest

from services.task_sync.application import arrivals
from services.task_sync.application.commands import PostComment
from services.task_sync.application.comments import post_comment
from services.task_sync.application.delivery import (
    UNKNOWN_STATUS_ATTEMPTS,
    record_channel_state,
    record_media_failure,
    record_media_stored,
    record_send_failure,
    record_send_result,
    record_status,
)
from services.task_sync.application.errors import Invalid
from services.task_sync.application.records import add_comment, add_comments, open_task
from services.task_sync.handlers import HANDLERS, handle
from shared import delivery_context, events
from shared.bus import CHAT_SCOPED, Topology, routing_key_of
from shared.domain.comments import Comment, order_of
from shared.domain.directory import Contact, User
from shared.domain.files import AttachmentRecord
from shared.errors import PermanentError, RetryableError
from tests.fakes.task_sync import (
    GROUP_BOT_USER_ID,
    ROBOT_USER_ID,
    FakeTaskSync,
    a_chat,
    a_task,
    an_actor,
)

NOW = events.utcnow()
MARIA = User(id="usr-maria", full_name="Иванова Мария", phones=["79035556677"],
             role="admin")


def said(comment_id: str, **fields: Any) -> events.AddComment:
    """The bot's record of one message (a customer's unless told otherwise)."""
    values: dict[str, Any] = {"author_kind": "customer", "direction": "in", "text": "Привет"}
    return events.AddComment(id=f"cmd-{comment_id}", correlation_id="c", occurred_at=NOW,
                             comment_id=comment_id, task_id="t1", at=NOW, **(values | fields))


def bundle(*items: events.AddComment) -> events.AddComments:
    return events.AddComments(id="b-1", correlation_id="c", occurred_at=NOW, items=list(items))


def bot_says(comment_id: str) -> events.AddComment:
    return said(comment_id, author_kind="bot", direction="out", send_id=f"send-{comment_id}")


def sent(comment_id: str, gateway_id: str | None, *, part: int = 0,
         replayed: bool = False) -> events.SendSucceeded:
    return events.SendSucceeded(id=f"ok-{comment_id}-{part}", correlation_id="c",
                                occurred_at=NOW, send_id=f"send-{comment_id}", task_id="t1",
                                comment_id=comment_id, gateway_message_id=gateway_id, part=part,
                                replayed=replayed)


def send_failed(comment_id: str, *, final: bool) -> events.SendFailed:
    return events.SendFailed(id=f"fail-{comment_id}", correlation_id="c", occurred_at=NOW,
                             send_id=f"send-{comment_id}", task_id="t1", comment_id=comment_id,
                             reason="number not on WhatsApp", code="E131026", final=final,
                             retry_at=None if final else NOW + timedelta(seconds=30))


def status(gateway_id: str, name: str, **fields: Any) -> events.StatusUpdated:
    return events.StatusUpdated(id=f"st-{gateway_id}-{name}", correlation_id="c",
                                occurred_at=NOW, provider="wazzup",
                                gateway_message_id=gateway_id, status=name, **fields)


@contextlib.contextmanager
def on_attempt(attempt: int) -> Iterator[None]:
    """Handle as the worker does on its ``attempt``-th delivery of a message."""
    token = delivery_context._attempt.set(attempt)
    try:
        yield
    finally:
        delivery_context._attempt.reset(token)


async def with_task(**fields: Any) -> FakeTaskSync:
    ts = FakeTaskSync()
    await ts.tasks.create_task(a_task(**fields))
    return ts


def comment(ts: FakeTaskSync, comment_id: str) -> Comment:
    return ts.tasks.comments[comment_id]


# ---- tasks and their comments, as the bot records them --------------------------------------


async def test_open_task_names_the_task_after_the_contact_found_by_phone() -> None:
    ts = FakeTaskSync()
    await ts.directory.upsert_contact(Contact(id="ct-1", name="Анна", phones=["79011112233"]))
    await open_task(ts.deps, events.OpenTask(
        id="o-1", correlation_id="c", occurred_at=NOW, task_id="t1", conversation_id="cv-1",
        chat=a_chat(), status="Диалог с ботом", phone="79011112233", contact_name="Anya"))
    task = ts.tasks.tasks["t1"]
    assert (task.title, task.contact_id, task.contact_name) == ("WhatsApp: Анна", "ct-1", "Анна")


async def test_customer_and_bot_messages_are_written_by_the_robot_user() -> None:
    ts = await with_task()
    await add_comments(ts.deps, bundle(said("in-1"), bot_says("out-1")))
    assert [comment(ts, c).author_user_id for c in ("in-1", "out-1")] == [ROBOT_USER_ID] * 2


async def test_an_employees_echo_is_written_by_the_user_of_that_name() -> None:
    ts = await with_task()
    await ts.directory.upsert_user(MARIA)
    await add_comments(ts.deps, bundle(
        said("echo-1", author_kind="user", direction="out", author_name=MARIA.full_name),
        said("echo-2", author_kind="user", direction="out", author_name="Кто-то Другой")))
    assert comment(ts, "echo-1").author_user_id == MARIA.id
    assert comment(ts, "echo-2").author_user_id == ROBOT_USER_ID


async def test_a_group_participant_who_is_one_of_our_users_writes_as_himself() -> None:
    ts = await with_task()
    await ts.directory.upsert_user(MARIA)
    await add_comments(ts.deps, bundle(said("g-1", author_kind="participant",
                                            author_name="Masha", sender_phone="+7 903 555-66-77")))
    found = comment(ts, "g-1")
    assert (found.author_user_id, found.author_name) == (MARIA.id, MARIA.full_name)


async def test_a_group_participant_who_is_not_a_user_is_written_by_the_group_bot() -> None:
    ts = await with_task()
    await add_comments(ts.deps, bundle(said("g-1", author_kind="participant",
                                            author_name="Petya", sender_phone="79990001122")))
    found = comment(ts, "g-1")
    assert (found.author_user_id, found.author_name) == (GROUP_BOT_USER_ID, "Petya")


async def test_a_bots_message_waits_to_be_sent_and_an_echo_is_already_sent() -> None:
    ts = await with_task()
    await add_comments(ts.deps, bundle(
        bot_says("out-1"), said("echo-1", author_kind="user", direction="out",
                                gateway_message_id="gw-1"), said("in-1")))
    assert [(comment(ts, c).delivery, comment(ts, c).delivery_rank)
            for c in ("out-1", "echo-1", "in-1")] == [("queued", 0), ("sent", 1), (None, None)]


async def test_a_message_with_a_file_records_its_pending_attachment_before_the_comment() -> None:
    ts = await with_task()
    media = events.MediaRef(url="https://store.wazzup24.com/f", mime_type="image/jpeg")
    await add_comments(ts.deps, bundle(said("in-1", content_type="image", media=media,
                                            file_id="file-1")))
    assert ts.tasks.writes == [("create_task", "t1"), ("add_attachment", "file-1"),
                               ("add_comment", "in-1")]
    [record] = await ts.tasks.attachments_of_comment("in-1")
    assert (record.state, record.mime_type, record.file_name) == (
        "pending", "image/jpeg", "image-in-1")


async def test_a_repeated_bundle_adds_nothing() -> None:
    ts = await with_task()
    media = events.MediaRef(url="https://store.wazzup24.com/f", file_name="a.pdf")
    repeated = bundle(said("in-1", media=media, file_id="file-1"), bot_says("out-1"))
    await add_comments(ts.deps, repeated)
    recorded = (dict(ts.tasks.comments), dict(ts.tasks.attachments), list(ts.tasks.writes))

    await add_comments(ts.deps, repeated)
    assert (ts.tasks.comments, ts.tasks.attachments, ts.tasks.writes) == recorded


async def test_a_repeated_single_comment_adds_nothing() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", text="first"))
    await add_comment(ts.deps, said("in-1", text="again"))
    assert [c.text for c in ts.tasks.comments.values()] == ["first"]


async def test_a_quote_links_the_reply_to_the_quoted_comment() -> None:
    ts = await with_task()
    await add_comments(ts.deps, bundle(said("in-1", gateway_message_id="gw-1")))
    await add_comments(ts.deps, bundle(said("in-2", reply_to_gateway_message_id="gw-1"),
                                       said("in-3", reply_to_gateway_message_id="gw-unknown")))
    assert comment(ts, "in-2").reply_to_comment_id == "in-1"
    assert comment(ts, "in-3").reply_to_comment_id is None


# ---- edits and deletions in WhatsApp --------------------------------------------------------


async def test_an_edit_becomes_a_revision_and_the_comment_shows_the_new_text() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", text="Превет", gateway_message_id="gw-1"))
    await add_comment(ts.deps, said("ed-1", text="Привет", gateway_message_id="gw-1",
                                    is_edit=True))

    [revision] = await ts.tasks.revisions_of("in-1")
    assert (revision.id, revision.kind, revision.text) == ("ed-1", "edited", "Привет")
    found = comment(ts, "in-1")
    assert (found.text, found.edited, found.current_text) == ("Превет", True, "Привет")
    assert "ed-1" not in ts.tasks.comments


async def test_a_deletion_becomes_a_revision_and_marks_the_comment_deleted() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", gateway_message_id="gw-1"))
    await add_comment(ts.deps, said("del-1", text="", gateway_message_id="gw-1",
                                    is_delete=True))
    [revision] = await ts.tasks.revisions_of("in-1")
    assert (revision.kind, revision.text) == ("deleted", None)
    assert comment(ts, "in-1").deleted is True


async def test_an_edit_of_a_message_not_recorded_yet_is_retried() -> None:
    ts = await with_task()
    with pytest.raises(RetryableError):
        await add_comment(ts.deps, said("ed-1", gateway_message_id="gw-later", is_edit=True))
    assert ts.tasks.revisions == {}


async def test_an_edit_without_the_id_of_the_message_it_changes_is_permanent() -> None:
    ts = await with_task()
    with pytest.raises(PermanentError):
        await add_comment(ts.deps, said("ed-1", is_edit=True))


async def test_an_edit_whose_mark_failed_is_marked_when_retried() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", text="Превет", gateway_message_id="gw-1"))
    edit = said("ed-1", text="Привет", gateway_message_id="gw-1", is_edit=True)
    real_mark = ts.tasks.mark_revised

    async def failing_mark(comment_id: str, *, deleted: bool, text: str) -> None:
        raise RetryableError("database unavailable", code="DB_UNAVAILABLE")
    ts.tasks.mark_revised = failing_mark  # type: ignore[method-assign]
    with pytest.raises(RetryableError):
        await add_comment(ts.deps, edit)
    ts.tasks.mark_revised = real_mark  # type: ignore[method-assign]

    await add_comment(ts.deps, edit)  # the worker's retry
    found = comment(ts, "in-1")
    assert (found.edited, found.current_text) == (True, "Привет")


async def test_an_older_edit_arriving_after_a_newer_one_does_not_undo_it() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", text="a", gateway_message_id="gw-1"))
    newer = msgspec.structs.replace(said("ed-2", text="c", gateway_message_id="gw-1",
                                         is_edit=True), at=NOW + timedelta(seconds=5))
    await add_comment(ts.deps, newer)
    await add_comment(ts.deps, said("ed-1", text="b", gateway_message_id="gw-1", is_edit=True))
    assert comment(ts, "in-1").current_text == "c"
    assert [r.id for r in await ts.tasks.revisions_of("in-1")] == ["ed-1", "ed-2"]


async def test_a_redelivered_older_edit_does_not_undo_a_newer_one() -> None:
    ts = await with_task()
    await add_comment(ts.deps, said("in-1", text="a", gateway_message_id="gw-1"))
    older = said("ed-1", text="b", gateway_message_id="gw-1", is_edit=True)
    newer = msgspec.structs.replace(said("ed-2", text="c", gateway_message_id="gw-1",
                                         is_edit=True), at=NOW + timedelta(seconds=5))
    await add_comment(ts.deps, older)
    await add_comment(ts.deps, newer)
    await add_comment(ts.deps, older)  # redelivered
    assert comment(ts, "in-1").current_text == "c"


# ---- contacts the gateways ask for ----------------------------------------------------------


def contact_request(phone: str, responsible: str | None = None) -> events.CreateContact:
    return events.CreateContact(id="cc-1", correlation_id="c", occurred_at=NOW,
                                contact_id="ct-new", name="Анна", phones=[phone],
                                responsible_user_id=responsible)


async def test_a_requested_contact_is_created_with_its_responsible_employee() -> None:
    ts = FakeTaskSync()
    await ts.directory.upsert_user(MARIA)
    await handle(ts.deps, contact_request("79011112233", responsible=MARIA.id))
    assert ts.directory.contacts["ct-new"].responsible_user_id == MARIA.id


async def test_a_requested_contact_whose_phone_is_known_keeps_the_known_contact() -> None:
    ts = FakeTaskSync()
    await ts.directory.upsert_contact(Contact(id="ct-1", name="Анна", phones=["79011112233"]))
    await handle(ts.deps, contact_request("+7 901 111 22 33"))
    assert list(ts.directory.contacts) == ["ct-1"]


# ---- send results ---------------------------------------------------------------------------


async def test_a_send_result_for_a_comment_not_recorded_yet_is_retried(
        short_wait: None) -> None:
    ts = await with_task()
    with pytest.raises(RetryableError):
        await record_send_result(ts.deps, sent("later", "gw-1"))


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrivals, "WAIT_S", 0.05)


async def test_a_send_result_that_comes_before_its_comment_waits_for_it_here() -> None:
    """Under load the result often overtakes the bot's comment (another queue): it is applied
    as soon as this process records the comment, not sent round the delay queue."""
    ts = await with_task()
    result = asyncio.create_task(record_send_result(ts.deps, sent("out-1", "gw-1")))
    failure = asyncio.create_task(record_send_failure(ts.deps, send_failed("out-2", final=True)))
    await asyncio.sleep(0.05)
    assert not result.done() and len(ts.deps.arrivals) == 2
    await add_comments(ts.deps, bundle(bot_says("out-1"), bot_says("out-2")))
    await asyncio.wait_for(asyncio.gather(result, failure), 1)
    assert (comment(ts, "out-1").delivery, comment(ts, "out-2").delivery) == ("sent", "failed")
    assert len(ts.deps.arrivals) == 0


async def test_a_send_result_marks_the_comment_sent_with_its_gateway_id() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_result(ts.deps, sent("out-1", "gw-1"))
    found = await ts.tasks.comment_by_gateway_id("gw-1")
    assert found is not None and (found.id, found.delivery) == ("out-1", "sent")


async def test_a_later_parts_result_keeps_its_gateway_id_for_quotes() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_result(ts.deps, sent("out-1", "gw-file", part=1))
    found = await ts.tasks.comment_by_gateway_id("gw-file")
    assert found is not None and (found.id, found.delivery) == ("out-1", "queued")
    assert await ts.tasks.sent_parts(found) == {1}


async def test_a_replayed_send_result_replaces_the_failure_it_followed() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_failure(ts.deps, send_failed("out-1", final=True))
    await record_send_result(ts.deps, sent("out-1", "gw-1", replayed=True))
    assert (comment(ts, "out-1").delivery, comment(ts, "out-1").failure_code) == ("sent", None)


async def test_a_final_send_failure_marks_the_comment_failed_with_its_reason() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_failure(ts.deps, send_failed("out-1", final=True))
    found = comment(ts, "out-1")
    assert (found.delivery, found.failure_code, found.failure_reason) == (
        "failed", "E131026", "number not on WhatsApp")


async def test_a_send_waiting_for_a_retry_shows_why_and_when() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_failure(ts.deps, send_failed("out-1", final=False))
    found = comment(ts, "out-1")
    assert (found.delivery, found.retry_at) == ("waiting", NOW + timedelta(seconds=30))


async def test_a_send_failure_for_a_comment_not_recorded_yet_is_retried(
        short_wait: None) -> None:
    ts = await with_task()
    with pytest.raises(RetryableError):
        await record_send_failure(ts.deps, send_failed("later", final=True))


# ---- gateway statuses -----------------------------------------------------------------------


async def test_a_status_before_the_send_result_is_retried_then_applied() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    early = status("gw-1", "read")
    with pytest.raises(RetryableError):
        await record_status(ts.deps, early)
    assert comment(ts, "out-1").delivery == "queued"

    await record_send_result(ts.deps, sent("out-1", "gw-1"))
    with on_attempt(2):
        await record_status(ts.deps, early)
    assert comment(ts, "out-1").delivery == "read"


async def test_a_stale_error_after_read_does_not_undo_it() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_result(ts.deps, sent("out-1", "gw-1"))
    await record_status(ts.deps, status("gw-1", "read"))
    await record_status(ts.deps, status("gw-1", "error", error_code="E1", error_text="late"))
    found = comment(ts, "out-1")
    assert (found.delivery, found.failure_code) == ("read", None)


async def test_an_error_status_before_delivery_marks_the_comment_failed() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_result(ts.deps, sent("out-1", "gw-1"))
    await record_status(ts.deps, status("gw-1", "error", error_code="E1", error_text="blocked"))
    found = comment(ts, "out-1")
    assert (found.delivery, found.failure_code, found.failure_reason) == (
        "failed", "E1", "blocked")


async def test_an_unknown_gateway_status_is_retried_for_three_attempts_then_dropped() -> None:
    ts = await with_task()
    for attempt in range(1, UNKNOWN_STATUS_ATTEMPTS):
        with on_attempt(attempt), pytest.raises(RetryableError):
            await record_status(ts.deps, status("gw-never", "read"))
    with on_attempt(UNKNOWN_STATUS_ATTEMPTS):
        await record_status(ts.deps, status("gw-never", "read"))  # acknowledged, not dead


async def test_a_status_that_is_not_a_delivery_step_changes_nothing() -> None:
    ts = await with_task()
    await add_comment(ts.deps, bot_says("out-1"))
    await record_send_result(ts.deps, sent("out-1", "gw-file", part=1))  # still queued
    await record_status(ts.deps, status("gw-file", "edited"))
    assert comment(ts, "out-1").delivery == "queued"


# ---- files ----------------------------------------------------------------------------------


async def with_pending_file() -> FakeTaskSync:
    ts = await with_task()
    await ts.tasks.add_attachment(AttachmentRecord(
        id="file-1", comment_id="in-1", task_id="t1", file_name="photo",
        mime_type="application/octet-stream", state="pending"))
    return ts


def media_stored(file_id: str = "file-1") -> events.MediaStored:
    return events.MediaStored(id="ms-1", correlation_id="c", occurred_at=NOW, file_id=file_id,
                              comment_id="in-1", task_id="t1", file_name="photo",
                              mime_type="image/jpeg", size=2048)


def media_failed(*, final: bool, file_id: str = "file-1") -> events.MediaFetchFailed:
    return events.MediaFetchFailed(id="mf-1", correlation_id="c", occurred_at=NOW,
                                   file_id=file_id, comment_id="in-1", task_id="t1",
                                   reason="gone", code="HTTP_404", final=final)


async def test_a_stored_file_records_its_size_and_type() -> None:
    ts = await with_pending_file()
    await record_media_stored(ts.deps, media_stored())
    record = ts.tasks.attachments["file-1"]
    assert (record.state, record.size, record.mime_type) == ("stored", 2048, "image/jpeg")


async def test_a_final_fetch_failure_marks_the_file_failed_with_its_reason() -> None:
    ts = await with_pending_file()
    await record_media_failure(ts.deps, media_failed(final=True))
    record = ts.tasks.attachments["file-1"]
    assert (record.state, record.reason) == ("failed", "HTTP_404: gone")


async def test_a_fetch_waiting_for_a_retry_marks_the_file_waiting() -> None:
    ts = await with_pending_file()
    await record_media_failure(ts.deps, media_failed(final=False))
    assert ts.tasks.attachments["file-1"].state == "waiting"


async def test_a_late_fetch_failure_never_undoes_a_stored_file() -> None:
    ts = await with_pending_file()
    await record_media_stored(ts.deps, media_stored())
    await record_media_failure(ts.deps, media_failed(final=True))
    assert ts.tasks.attachments["file-1"].state == "stored"


@pytest.mark.parametrize("result", [media_stored("file-later"),
                                    media_failed(final=True, file_id="file-later")])
async def test_a_file_result_for_an_attachment_not_recorded_yet_is_retried(
    result: events.MediaStored | events.MediaFetchFailed,
) -> None:
    ts = await with_pending_file()
    with pytest.raises(RetryableError):
        await handle(ts.deps, result)


# ---- channels -------------------------------------------------------------------------------


def channel_updated(transport: str | None, state: str = "active") -> events.ChannelUpdated:
    return events.ChannelUpdated(id=f"ch-{transport}-{state}", correlation_id="c",
                                 occurred_at=NOW, provider="wazzup", channel_id="ch-1",
                                 state=state, tier="TIER_1K", transport=transport)


def manager_writes(task_id: str = "t1") -> PostComment:
    return PostComment(task_id=task_id, actor=an_actor(MARIA), text="Добрый день")


async def test_a_channels_state_is_recorded() -> None:
    ts = FakeTaskSync()
    await record_channel_state(ts.deps, channel_updated("whatsapp", state="blocked"))
    found = await ts.channels.get("ch-1")
    assert found is not None
    assert (found["provider"], found["state"], found["tier"], found["transport"]) == (
        "wazzup", "blocked", "TIER_1K", "whatsapp")


async def test_a_wazzup_channel_reported_as_waba_gets_the_window_check() -> None:
    ts = await with_task(chat=a_chat("wazzup", channel_id="ch-1"))
    await post_comment(ts.deps, manager_writes())  # a plain WhatsApp channel: no window
    await record_channel_state(ts.deps, channel_updated("wapi"))
    with pytest.raises(Invalid) as refused:
        await post_comment(ts.deps, manager_writes())
    assert refused.value.error == "window_closed"
    assert len(ts.bus.sends()) == 1


async def test_the_window_check_reads_the_channels_transport_from_the_cache() -> None:
    ts = await with_task(chat=a_chat("wazzup", channel_id="ch-1"))
    await record_channel_state(ts.deps, channel_updated("whatsapp"))
    for _ in range(3):
        await post_comment(ts.deps, manager_writes())
    assert (ts.channels.lookups, len(ts.bus.sends())) == (1, 3)


# ---- the dispatch table ---------------------------------------------------------------------


def _matches(binding: str, key: str) -> bool:
    """An AMQP topic binding: ``*`` one word, ``#`` any number of words."""
    pattern = re.escape(binding).replace(r"\*", r"[^.]+").replace(r"\#", r".*")
    return re.fullmatch(pattern, key) is not None


def _routed(kind: type[events.Envelope]) -> tuple[str, str]:
    """(exchange, routing key as published, with a shard suffix where the bus adds one)."""
    key = routing_key_of(kind)
    exchange = "commands" if kind in get_args(events.Command) else "events"
    return exchange, f"{key}.0" if key in CHAT_SCOPED else key


def test_every_message_bound_to_task_syncs_queues_has_a_handler() -> None:
    queues = Topology("wa", 2).queues_of("task_sync")
    consumed = {kind for kind in get_args(events.Message)
                for exchange, key in [_routed(kind)]
                for spec in queues if spec.exchange == exchange
                and any(_matches(binding, key) for binding in spec.bindings)}
    assert events.OpenTask in consumed and events.StatusUpdated in consumed  # the probe works
    assert consumed - set(HANDLERS) == set()


async def test_handle_hands_each_message_to_its_use_case() -> None:
    ts = await with_task()
    await handle(ts.deps, bot_says("out-1"))
    await handle(ts.deps, sent("out-1", "gw-1"))
    assert comment(ts, "out-1").delivery == "sent"


async def test_handle_refuses_a_message_without_a_handler() -> None:
    ts = FakeTaskSync()
    stray = events.ScenariosChanged(id="x", correlation_id="x", occurred_at=NOW, version=1)
    with pytest.raises(PermanentError, match="no handler"):
        await handle(ts.deps, stray)


async def test_a_templates_review_status_is_kept_and_the_list_fetched_again() -> None:
    ts = FakeTaskSync()
    await handle(ts.deps, events.TemplateStatusChanged(
        id="tpl-1", correlation_id="c", occurred_at=NOW, provider="meta", name="hello",
        language="ru", status="rejected", reason="INVALID_FORMAT"))
    [refresh] = ts.bus.published
    assert isinstance(refresh, events.RefreshTemplates) and refresh.provider == "meta"


async def test_a_comment_recorded_by_the_bot_is_in_its_task_in_order() -> None:
    ts = await with_task()
    later = NOW + timedelta(milliseconds=1)
    await add_comments(ts.deps, bundle(
        msgspec.structs.replace(said("in-a"), at=later), said("in-b")))
    assert [c.id for c in await ts.tasks.comments_of_task("t1")] == ["in-b", "in-a"]
    assert comment(ts, "in-a").order == order_of(later)
