"""Comments a crash left in the outbox go out in the order they were posted, whichever the
sweeper finds first (found by the First Form chaos run: a manager's two comments picked up
from First Form by a process killed before it published them reached WhatsApp swapped)."""

from __future__ import annotations

from datetime import timedelta

from services.task_sync.application.outgoing import sweep_once
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.outgoing import send_id
from tests.fakes.task_sync import FakeTaskSync, a_chat, a_task, settings


def unsent(comment_id: str, task_id: str, seconds_ago: float, text: str) -> Comment:
    at = events.utcnow() - timedelta(seconds=seconds_ago)
    return Comment(id=comment_id, task_id=task_id, order=order_of(at), at=at,
                   author_kind="user", direction="out", text=text,
                   send_id=send_id(comment_id, 0), delivery="queued", delivery_rank=0,
                   outbox=True, parts=1)


async def test_the_sweeper_sends_a_later_unsent_comment_after_the_earlier_one() -> None:
    ts = FakeTaskSync(config=settings(WABRIDGE_OUTBOX_SWEEP_SECONDS="0"))
    task = a_task(chat=a_chat("wazzup"))
    await ts.tasks.create_task(task)
    # both left unpublished; sending the earlier, the sweeper must not put the later first
    await ts.tasks.add_comment(unsent("earlier", task.id, 6, "Счёт -2"))
    await ts.tasks.add_comment(unsent("later", task.id, 5, "Цитата -3"))
    await sweep_once(ts.deps)
    assert [s.comment_id for s in ts.bus.sends()][:2] == ["earlier", "later"]
    assert {s.comment_id for s in ts.bus.sends()} == {"earlier", "later"}
