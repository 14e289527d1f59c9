"""The whole system as processes (stand-in, four services, sandbox) on free ports, one per
test module, with its own bus prefix; plus a small client that speaks to it over HTTP."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import aiohttp
import pytest

from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from services.sandbox.first_form_world import bridge_env
from shared.bus import Topology
from tests.topology_cleanup import delete_topology

T = TypeVar("T")
ADMIN = "demo-admin-token"
IVANOVA = "demo-manager-ivanova"
CHANNEL = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"


@pytest.fixture(scope="module")
def task_system() -> str:
    """``builtin``, or ``first_form``: task-sync works with the sandbox's First Form
    (WABRIDGE_E2E_TASK_SYSTEM=first_form; a module may override this fixture)."""
    return os.environ.get("WABRIDGE_E2E_TASK_SYSTEM", "builtin")


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, rabbitmq_url: str, task_system: str) -> Iterator[Stack]:
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    var_dir = ROOT / ".var" / "e2e" / f"{request.module.__name__.rsplit('.', 1)[-1]}-{prefix}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_BUS_PREFIX": prefix, "WABRIDGE_BUS_SHARDS": "4",
            "WABRIDGE_RETRY_BASE_SECONDS": "0.2", "WABRIDGE_MAX_ATTEMPTS": "5",
            "WABRIDGE_OUTBOX_SWEEP_SECONDS": "1", "RABBITMQ_URL": rabbitmq_url,
            "LOG_LEVEL": "info"}
    if task_system == "first_form":
        env |= bridge_env(f"http://127.0.0.1:{env['SANDBOX_PORT']}") | {
            "FIRST_FORM_POLL_SECONDS": "0.3", "FIRST_FORM_REQUESTS_PER_SECOND": "200"}
    running = Stack(var_dir=var_dir, env=env, memory_db=True, sandbox_only=True)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        asyncio.run(delete_topology(rabbitmq_url, Topology(prefix, 4)))


class System:
    """HTTP access to a running stack, as a user or a gateway would have it."""

    def __init__(self, stack: Stack, session: aiohttp.ClientSession) -> None:
        self.stack = stack
        self.http = session

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports[service]}{path}"

    async def inbound(self, chat_id: str, text: str, **extra: Any) -> dict[str, Any]:
        """A customer writes (the sandbox posts a realistic Wazzup webhook into ingest)."""
        async with self.http.post(self.url("sandbox", "/sandbox/inbound"),
                                  json={"chat_id": chat_id, "text": text, **extra}) as resp:
            body: dict[str, Any] = await resp.json()
            assert resp.status == 200 and body["ingest_status"] == 200, body
            return body

    async def webhook(self, payload: Any, token: str = "sandbox-webhook-token",
                      raw: bytes | None = None) -> tuple[int, Any]:
        url = self.url("ingest", f"/webhooks/wazzup/{token}")
        data = raw if raw is not None else None
        kwargs: dict[str, Any] = {"data": data} if raw is not None else {"json": payload}
        async with self.http.post(url, **kwargs) as resp:
            try:
                return resp.status, await resp.json(content_type=None)
            except ValueError:
                return resp.status, await resp.text()

    async def deliveries(self, chat_id: str) -> list[dict[str, Any]]:
        """Messages the sandbox gateway accepted (201) for this chat, oldest first."""
        async with self.http.get(self.url("sandbox", "/sandbox/requests"),
                                 params={"path": "/v3/message", "delivered": "true",
                                         "chat_id": chat_id}) as resp:
            records: list[dict[str, Any]] = await resp.json()
        return records

    async def texts_sent(self, chat_id: str) -> list[str]:
        return [r["json"]["text"] for r in await self.deliveries(chat_id) if "text" in r["json"]]

    async def api(self, method: str, path: str, token: str = ADMIN, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= kw.pop("headers", {})
        async with self.http.request(method, self.url("task_sync", path), headers=headers,
                                     **kw) as resp:
            return resp.status, await resp.json(content_type=None)

    async def set_group_policy(self, group_id: str, **policy: Any) -> None:
        """Replace a group's routing and SLA policy (as the admin)."""
        status, body = await self.api("PUT", f"/api/v1/groups/{group_id}/policy", json=policy)
        assert status == 200, body

    async def give_to(self, task_id: str, user_id: str = "usr-ivanova") -> dict[str, Any]:
        """Assign the task (as the admin): only its assignee among managers writes into it."""
        status, body = await self.api("POST", f"/api/v1/tasks/{task_id}/assign",
                                      json={"user_id": user_id})
        assert status == 200, body
        return dict(body)

    async def task_of(self, chat_id: str) -> dict[str, Any] | None:
        """The newest task of a chat."""
        status, body = await self.api("GET", "/api/v1/tasks?limit=500")
        assert status == 200, body
        mine = [t for t in body["items"] if t["chat"]["chat_id"] == chat_id]
        return max(mine, key=lambda t: t["created_at"]) if mine else None

    async def comments(self, task_id: str) -> list[dict[str, Any]]:
        status, body = await self.api("GET", f"/api/v1/tasks/{task_id}/comments")
        assert status == 200, body
        return list(body["items"])

    async def sandbox(self, method: str, path: str, **kw: Any) -> Any:
        async with self.http.request(method, self.url("sandbox", path), **kw) as resp:
            return await resp.json(content_type=None)


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 15.0,
                     what: str = "condition") -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


@pytest.fixture
async def system(stack: Stack) -> AsyncIterator[System]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield System(stack, session)


def new_chat() -> str:
    """A phone-like chat id no other test uses."""
    return "7999" + str(uuid.uuid4().int)[:7]
