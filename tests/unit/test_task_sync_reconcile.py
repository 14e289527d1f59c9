"""The reconciliation: an outgoing comment queued too long without a send result is asked
about; one that is fresh, waiting with a reason, or still in the outbox is not."""

from __future__ import annotations

from datetime import timedelta

from services.task_sync.application.reconcile import reconcile_once
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.outgoing import send_id
from tests.fakes.task_sync import FakeTaskSync, a_task, settings


def bot_comment(comment_id: str, ago: timedelta, **fields: object) -> Comment:
    at = events.utcnow() - ago
    values: dict[str, object] = {"delivery": "queued", "delivery_rank": 0} | fields
    return Comment(id=comment_id, task_id="t1", order=order_of(at), at=at, author_kind="bot",
                   direction="out", text="Здравствуйте!", author_name="WhatsAppRobot",
                   send_id=send_id(comment_id, 0), **values)  # type: ignore[arg-type]


async def test_a_comment_queued_too_long_is_asked_about_without_queueing_a_send() -> None:
    ts = FakeTaskSync(config=settings(WABRIDGE_RECONCILE_AFTER_SECONDS="60"))
    await ts.tasks.create_task(a_task())
    await ts.tasks.add_comment(bot_comment("stale", timedelta(minutes=5)))
    await ts.tasks.add_comment(bot_comment("fresh", timedelta(seconds=5)))
    await ts.tasks.add_comment(bot_comment("waits", timedelta(minutes=5), delivery="waiting",
                                           failure_code="CHANNEL_NOT_ACTIVE"))
    await ts.tasks.add_comment(bot_comment("outbox", timedelta(minutes=5), outbox=True))

    assert await reconcile_once(ts.deps) == 1

    [question] = ts.bus.sends()
    assert (question.id, question.comment_id, question.reconcile) == (
        send_id("stale", 0), "stale", True)
