"""A template posted into an existing chat: the way to write once the 24-hour window closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.task_sync.application.comments import post_comment
from services.task_sync.application.errors import Invalid
from shared import events
from tests.unit.test_task_sync_comments import comment_cmd, customer_wrote, world_with_task


async def test_a_template_goes_out_when_the_window_is_closed() -> None:
    ts, task = await world_with_task("meta")
    await customer_wrote(ts, task, timedelta(hours=30))

    posted = await post_comment(ts.deps, comment_cmd(
        task, "", template_id="order_ready", template_values=["Ольга", "1042"],
        template_language="ru"))

    assert posted.created and posted.comment.template_id == "order_ready"
    [send] = [m for m in ts.bus.published if isinstance(m, events.SendMessage)]
    assert (send.template_id, send.template_values, send.text) == (
        "order_ready", ["Ольга", "1042"], "")


async def test_free_text_is_still_refused_when_the_window_is_closed() -> None:
    ts, task = await world_with_task("meta")
    await customer_wrote(ts, task, timedelta(hours=30))

    with pytest.raises(Invalid, match="window"):
        await post_comment(ts.deps, comment_cmd(task, "Добрый день"))
    assert [m for m in ts.bus.published if isinstance(m, events.SendMessage)] == []
