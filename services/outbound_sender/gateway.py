"""The HTTP call to a gateway: rate-limited per account, timed, errors translated."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiolimiter import AsyncLimiter

from shared.errors import RetryableError
from shared.metrics import GATEWAY_SECONDS
from shared.providers.base import HttpRequest


class GatewayResponse:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status, self.body, self.headers = status, body, headers


class GatewayClient:
    """One aiohttp session; one limiter per account (Wazzup allows 500 requests per 5 s)."""

    def __init__(self, session: aiohttp.ClientSession, requests_per_5s: int) -> None:
        self._session = session
        self._rate = requests_per_5s
        self._limiters: dict[str, AsyncLimiter] = {}

    def _limiter(self, account_key: str) -> AsyncLimiter:
        if account_key not in self._limiters:
            self._limiters[account_key] = AsyncLimiter(self._rate, 5.0)
        return self._limiters[account_key]

    async def call(self, provider: str, account_key: str, req: HttpRequest) -> GatewayResponse:
        started = time.perf_counter()
        outcome = "error"
        try:
            async with self._limiter(account_key):
                async with self._session.request(req.method, req.url, headers=req.headers,
                                                  json=req.json) as resp:
                    body = await resp.read()
                    outcome = str(resp.status)
                    return GatewayResponse(resp.status, body, dict(resp.headers))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RetryableError(f"{provider} gateway unreachable at {req.url}: {exc!r}",
                                 code="GATEWAY_UNREACHABLE") from exc
        finally:
            GATEWAY_SECONDS.labels(provider, outcome).observe(time.perf_counter() - started)
