"""The outbox: what the API recorded but could not publish is published by the sweeper."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from services.task_sync.application.outgoing import sweep_once
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.bus import Bus
from shared.config import TaskSyncSettings, load
from shared.store import comments, tasks


async def test_a_recorded_comment_whose_send_was_not_published_is_sent_by_the_sweeper(
    db: Any, bus: Bus,
) -> None:
    settings = load(TaskSyncSettings, {"MONGODB_URL": "mongodb://127.0.0.1/",
                                       "WABRIDGE_URL_SIGNING_KEY": "k" * 32})
    deps = builtin_deps(db, bus, settings, robot_user_id="r", group_bot_user_id="g")
    await comments.ensure_indexes(db)
    then = events.utcnow() - timedelta(minutes=1)
    chat = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                          chat_id="79011112233")
    await tasks.create(db, tasks.Task(id="t1", title="t", category="c", status="s", chat=chat,
                                      conversation_id="cv", created_at=then, updated_at=then))
    await comments.insert(db, comments.Comment(
        id="cm1", task_id="t1", order=comments.order_of(then), at=then, author_kind="user",
        direction="out", text="Добрый день", author_name="Иванова Мария", send_id="s",
        delivery="queued", delivery_rank=0, outbox=True))

    assert await sweep_once(deps) == 1
    channel = await bus.connection.channel()
    shard = bus.topology.shard_of(chat.key)  # one chat's sends share a shard queue
    queue = await channel.get_queue(bus.topology.queue_name(f"outbound_sender.sends.{shard}"))
    got: asyncio.Queue[bytes] = asyncio.Queue()

    async def take(message: Any) -> None:  # single-active-consumer queues refuse basic.get
        await message.ack()
        await got.put(message.body)
    await queue.consume(take)
    sent = events.decode(await asyncio.wait_for(got.get(), 5))
    assert isinstance(sent, events.SendMessage)
    assert (sent.comment_id, sent.text) == ("cm1", "*Иванова Мария*:\nДобрый день")
    assert await comments.pending_outbox(db, events.utcnow()) == []
    assert await sweep_once(deps) == 0  # published once: nothing left
