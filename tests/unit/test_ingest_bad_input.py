"""ingest and bad input: a body nested deeper than the decoder allows is a 400, not a 500, and
a refused body stays out of the logs above debug."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from structlog.testing import capture_logs

from tests.unit.test_ingest_broker_away import TOKEN, app_with_broker_away


async def test_a_webhook_nested_too_deeply_is_refused_with_400() -> None:
    body = b'{"messages":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with TestClient(TestServer(app_with_broker_away())) as client:
        response = await client.post(f"/webhooks/wazzup/{TOKEN}", data=body,
                                     headers={"Content-Type": "application/json"})
        assert response.status == 400
        assert (await response.json())["error"] == "bad_payload"


async def test_a_refused_body_is_logged_at_debug_only() -> None:
    secret = "Паспорт 4510 123456"
    async with TestClient(TestServer(app_with_broker_away())) as client:
        with capture_logs() as logs:
            response = await client.post(f"/webhooks/wazzup/{TOKEN}",
                                         data=f'{{"messages": "{secret}"}}'.encode())
    assert response.status == 400
    assert logs, "the refusal is logged"
    assert all(secret not in str(entry) for entry in logs if entry["log_level"] != "debug")
