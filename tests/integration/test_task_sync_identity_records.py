"""task-sync's records of identity changes and problems, against the real store: a changed
number moves the task's sends, a message with no sender is listed, notices carry no ticks,
form answers are kept on the comment, an echo without a name is the service user's."""

from __future__ import annotations

from typing import Any

import pytest

from services.task_sync.deps import Deps
from services.task_sync.handlers import handle
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.config import TaskSyncSettings, load
from shared.errors import RetryableError
from tests.fakes.bot_router import FakePublisher

NOW = events.utcnow()
CHAT = events.ChatRef(provider="meta", channel_id="pn1", chat_type="whatsapp",
                      chat_id="34600111222")


def deps(db: Any) -> Deps:
    settings = load(TaskSyncSettings, {"MONGODB_URL": "mongodb://127.0.0.1/",
                                       "WABRIDGE_URL_SIGNING_KEY": "k" * 32})
    return builtin_deps(db, FakePublisher(), settings, robot_user_id="usr-robot",
                        group_bot_user_id="usr-group-bot")


def envelope(n: str) -> dict[str, Any]:
    return {"id": f"cmd-{n}", "correlation_id": "c", "occurred_at": NOW}


async def open_task(d: Deps) -> None:
    await handle(d, events.OpenTask(**envelope("open"), task_id="t1", conversation_id="cv1",
                                    chat=CHAT, status="Диалог с ботом", phone="34600111222",
                                    user_id="ES.1", username="@ana"))


async def test_changed_number_moves_the_tasks_sends_and_phone(db: Any) -> None:
    d = deps(db)
    await open_task(d)
    moved = events.ChatRef(provider="meta", channel_id="pn1", chat_type="whatsapp",
                           chat_id="34600111222", address="34600999888")
    task = await d.tasks.get_task("t1")
    assert task is not None and (task.user_id, task.username) == ("ES.1", "@ana")
    await handle(d, events.ChangeTaskChat(**envelope("chg"), task_id="t1", chat=moved,
                                          phone="34600999888", user_id="ES.2"))
    task = await d.tasks.get_task("t1")
    assert task is not None and task.chat == moved and task.phone == "34600999888"
    assert task.user_id == "ES.2"
    assert task.chat.key == CHAT.key and task.chat.send_to == "34600999888"


async def test_changing_the_chat_of_a_task_not_recorded_yet_is_retried(db: Any) -> None:
    with pytest.raises(RetryableError):
        await handle(deps(db), events.ChangeTaskChat(**envelope("chg"), task_id="nope",
                                                     chat=CHAT))


async def test_message_without_sender_is_listed_once(db: Any) -> None:
    d = deps(db)
    problem = events.RecordProblem(**envelope("p"), provider="meta", channel_id="pn1",
                                   reason="no sender", gateway_message_id="wamid.X",
                                   raw_type="system")
    await handle(d, problem)
    await handle(d, problem)
    [listed] = await d.problems.recent()
    assert (listed.reason, listed.gateway_message_id, listed.raw_type) == (
        "no sender", "wamid.X", "system")


async def test_notice_has_no_delivery_and_form_answers_stay_on_the_comment(db: Any) -> None:
    d = deps(db)
    await open_task(d)
    form = [events.FormField(label="Email", value="ana@example.com", name="email")]
    await handle(d, events.AddComments(**envelope("b"), items=[
        events.AddComment(**envelope("n"), comment_id="c-notice", task_id="t1",
                          author_kind="system", direction="out", text="[notice] changed",
                          at=NOW, content_type="system"),
        events.AddComment(**envelope("f"), comment_id="c-form", task_id="t1",
                          author_kind="customer", direction="in", text="[form]\nEmail: x",
                          at=NOW, content_type="interactive", form=form),
        events.AddComment(**envelope("e"), comment_id="c-echo", task_id="t1",
                          author_kind="user", direction="out", text="from the app", at=NOW,
                          gateway_message_id="wamid.ECHO")]))
    by_id = {c.id: c for c in await d.tasks.comments_of_task("t1")}
    assert by_id["c-notice"].delivery is None
    assert by_id["c-notice"].author_user_id == "usr-robot"
    assert by_id["c-form"].form == form
    assert (by_id["c-echo"].author_user_id, by_id["c-echo"].delivery) == ("usr-robot", "sent")
    assert await d.tasks.last_inbound_at(CHAT.key) is not None  # the form's, not the notice's


async def test_pricing_category_is_stored_on_the_comment(db: Any) -> None:
    d = deps(db)
    await open_task(d)
    await handle(d, events.AddComment(**envelope("b1"), comment_id="c-out", task_id="t1",
                                      author_kind="bot", direction="out", text="hi", at=NOW,
                                      send_id="send-c-out"))
    await handle(d, events.SendSucceeded(**envelope("ok"), send_id="send-c-out", task_id="t1",
                                         comment_id="c-out", gateway_message_id="wamid.P"))
    await handle(d, events.StatusUpdated(**envelope("st"), provider="meta",
                                         gateway_message_id="wamid.P", status="delivered",
                                         pricing_category="marketing"))
    stored = await d.tasks.get_comment("c-out")
    assert stored is not None and stored.pricing_category == "marketing"
