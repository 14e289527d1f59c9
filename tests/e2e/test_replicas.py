"""The scale-out rehearsal on one machine: the stack with two processes of every service
(WABRIDGE_REPLICAS=2, as `WABRIDGE_REPLICAS=2 make run` starts it) carries customer dialogues
end to end, and the work is shared: each bot-router replica decides the chats of its half of the
shards, and a manager may answer through either task-sync replica."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from functools import partial

import pytest

from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from shared.bus import Topology
from shared.events import ChatRef
from tests.e2e.conftest import CHANNEL, System, eventually
from tests.topology_cleanup import delete_topology

SHARDS = 4
GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
HOURS = "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК)."
HANDOVER = "Спасибо! Ваше сообщение передано менеджеру, он скоро ответит."


@pytest.fixture(scope="module")
def stack(rabbitmq_url: str) -> Iterator[Stack]:
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    var_dir = ROOT / ".var" / "e2e" / f"test_replicas-{prefix}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_REPLICAS": "2", "WABRIDGE_BUS_PREFIX": prefix,
            "WABRIDGE_BUS_SHARDS": str(SHARDS), "WABRIDGE_RETRY_BASE_SECONDS": "0.2",
            "WABRIDGE_MAX_ATTEMPTS": "5", "WABRIDGE_OUTBOX_SWEEP_SECONDS": "1",
            "RABBITMQ_URL": rabbitmq_url, "LOG_LEVEL": "info"}
    running = Stack(var_dir=var_dir, env=env, memory_db=True, sandbox_only=True)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        asyncio.run(delete_topology(rabbitmq_url, Topology(prefix, SHARDS)))


def chat_in_shards(shards: set[int]) -> str:
    """A new chat id whose inbound events land in one of ``shards``."""
    topology = Topology("any", SHARDS)
    while True:
        chat = "7998" + str(uuid.uuid4().int)[:7]
        key = ChatRef(provider="wazzup", channel_id=CHANNEL, chat_type="whatsapp",
                      chat_id=chat).key
        if topology.shard_of(key) in shards:
            return chat


async def processed(system: System, replica: str) -> int:
    """Messages a bot-router replica decided (its own /metrics)."""
    async with system.http.get(system.url(replica, "/metrics")) as resp:
        text = await resp.text()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if line.startswith("wabridge_messages_total{") and 'outcome="processed"' in line
               and re.search(r'queue="[^"]*bot_router\.inbound\.\d+"', line))


async def dialogue(system: System, chat: str, manager_api: str) -> None:
    """Greeting, a code, a question handed to a manager, the manager's answer: in order."""
    async def sent(n: int) -> list[str] | None:
        texts = await system.texts_sent(chat)
        return texts if len(texts) >= n else None

    for n, text in enumerate(("Здравствуйте", "1", "Можно оплатить картой?"), start=1):
        await system.inbound(chat, text)
        await eventually(partial(sent, n), what=f"answer {n} in {chat}")
    task = await eventually(lambda: system.task_of(chat), what=f"task of {chat}")
    url = f"http://127.0.0.1:{system.stack.ports[manager_api]}/api/v1/tasks/{task['id']}/comments"
    async with system.http.post(url, json={"text": "Да, картой можно."},
                                headers={"Authorization": "Bearer demo-admin-token"}) as resp:
        assert resp.status == 201, await resp.text()
    texts = await eventually(partial(sent, 4), what=f"the manager's answer in {chat}")
    assert texts[0].startswith(GREETING_START)
    assert texts[1:3] == [HOURS, HANDOVER]
    assert texts[3].endswith("Да, картой можно.")
    assert len(texts) == 4


async def test_dialogues_go_through_two_replicas_of_every_service(
    stack: Stack, system: System,
) -> None:
    for service in ("ingest", "task_sync", "bot_router", "outbound_sender"):
        names = [n for n in stack.procs if n.split(".")[0] == service]
        assert len(names) == 2, names
        assert all(stack.procs[n].poll() is None for n in names)
    # one chat for each bot-router replica's half of the shards, each answered through another
    # task-sync replica
    first = chat_in_shards({0, 1})
    second = chat_in_shards({2, 3})
    await asyncio.gather(dialogue(system, first, "task_sync"),
                         dialogue(system, second, "task_sync.2"))
    assert await processed(system, "bot_router") >= 3
    assert await processed(system, "bot_router.2") >= 3
