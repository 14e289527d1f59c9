"""task-sync's handlers against the real store: the orderings the bus can produce."""

from __future__ import annotations

from typing import Any, cast

import msgspec
import pytest

from services.task_sync.deps import Deps
from services.task_sync.handlers import handle
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.bus import Bus
from shared.config import TaskSyncSettings, load
from shared.errors import RetryableError
from shared.store import comments

NOW = events.utcnow()


def deps(db: Any) -> Deps:
    settings = load(TaskSyncSettings, {"MONGODB_URL": "mongodb://127.0.0.1/",
                                       "WABRIDGE_URL_SIGNING_KEY": "k" * 32})
    return builtin_deps(db, cast(Bus, None), settings, robot_user_id="usr-robot",
                        group_bot_user_id="usr-group-bot")


def bot_comment(comment_id: str) -> events.AddComment:
    return events.AddComment(
        id=f"cmd-{comment_id}", correlation_id="c", occurred_at=NOW, comment_id=comment_id,
        task_id="t1", author_kind="bot", direction="out", text="hello", at=NOW,
        send_id=f"send-{comment_id}")


def status(gateway_id: str, name: str) -> events.StatusUpdated:
    return events.StatusUpdated(id=f"st-{gateway_id}-{name}", correlation_id="c",
                                occurred_at=NOW, provider="wazzup",
                                gateway_message_id=gateway_id, status=name)


def sent(comment_id: str, gateway_id: str) -> events.SendSucceeded:
    return events.SendSucceeded(id=f"ok-{comment_id}", correlation_id="c", occurred_at=NOW,
                                send_id=f"send-{comment_id}", task_id="t1",
                                comment_id=comment_id, gateway_message_id=gateway_id)


async def test_a_status_that_arrives_before_the_send_result_is_applied_when_it_comes(
    db: Any,
) -> None:
    d = deps(db)
    await comments.ensure_indexes(db)
    await handle(d, bot_comment("cm-1"))
    early = status("gw-1", "read")  # the gateway was faster than our send result
    with pytest.raises(RetryableError):  # back through the delay queue, not dropped
        await handle(d, early)
    stored = await comments.get(db, "cm-1")
    assert stored is not None and stored.delivery == "queued"
    await handle(d, sent("cm-1", "gw-1"))
    await handle(d, early)  # the retry
    stored = await comments.get(db, "cm-1")
    assert stored is not None and (stored.delivery, stored.gateway_message_id) == ("read", "gw-1")


async def test_a_decisions_comments_are_stored_together_and_a_repeat_adds_nothing(
    db: Any,
) -> None:
    d = deps(db)
    await comments.ensure_indexes(db)
    customer = msgspec.structs.replace(bot_comment("cm-3"), author_kind="customer",
                                       direction="in", send_id=None)
    bundle = events.AddComments(id="b1", correlation_id="c", occurred_at=NOW,
                                items=[customer, bot_comment("cm-4")])
    await handle(d, bundle)
    await handle(d, bundle)
    assert [c.id for c in await comments.of_task(db, "t1")] == ["cm-3", "cm-4"]


async def test_an_error_status_after_read_does_not_undo_it(db: Any) -> None:
    d = deps(db)
    await comments.ensure_indexes(db)
    await handle(d, bot_comment("cm-2"))
    await handle(d, sent("cm-2", "gw-2"))
    await handle(d, status("gw-2", "read"))
    await handle(d, status("gw-2", "sent"))
    stored = await comments.get(db, "cm-2")
    assert stored is not None and stored.delivery == "read"


async def test_a_status_for_a_message_never_recorded_is_dropped_after_a_few_attempts(
    db: Any,
) -> None:
    from shared.worker import _attempt  # the worker sets it per attempt

    d = deps(db)
    await comments.ensure_indexes(db)
    with pytest.raises(RetryableError):
        await handle(d, status("gw-unknown", "read"))
    token = _attempt.set(4)
    try:
        await handle(d, status("gw-unknown", "read"))  # acknowledged: no dead letter
    finally:
        _attempt.reset(token)
