"""A status's pricing category (Meta) is kept on the comment it is about, once."""

from __future__ import annotations

from services.task_sync.handlers import handle
from tests.unit.test_task_sync_records import bot_says, comment, sent, status, with_task


async def test_the_pricing_category_of_a_status_is_kept_on_the_comment() -> None:
    ts = await with_task()
    await handle(ts.deps, bot_says("out-1"))
    await handle(ts.deps, sent("out-1", "gw-1"))
    await handle(ts.deps, status("gw-1", "delivered", pricing_category="utility"))
    assert comment(ts, "out-1").pricing_category == "utility"
    assert comment(ts, "out-1").delivery == "delivered"


async def test_a_status_without_pricing_leaves_the_category_alone() -> None:
    ts = await with_task()
    await handle(ts.deps, bot_says("out-1"))
    await handle(ts.deps, sent("out-1", "gw-1"))
    await handle(ts.deps, status("gw-1", "sent", pricing_category="service"))
    await handle(ts.deps, status("gw-1", "read"))
    assert comment(ts, "out-1").pricing_category == "service"
