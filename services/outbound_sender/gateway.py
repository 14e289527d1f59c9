"""The HTTP calls to gateways: rate-limited per account, timed, size-capped, errors translated."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import aiohttp
from aiolimiter import AsyncLimiter

from services.outbound_sender.ports import GatewayResponse
from shared.errors import PermanentError, RetryableError
from shared.metrics import GATEWAY_SECONDS
from shared.providers.base import HttpRequest

__all__ = ["GatewayClient", "GatewayResponse", "url_refusal"]


class GatewayClient:
    """The ``Gateway`` port over one aiohttp session; one rate limiter per connection."""

    def __init__(self, session: aiohttp.ClientSession, rates: dict[str, float]) -> None:
        self._session = session
        self._limiters = {name: AsyncLimiter(rate, 1.0) for name, rate in rates.items()}

    def _limiter(self, connection: str) -> AsyncLimiter:
        if connection not in self._limiters:
            self._limiters[connection] = AsyncLimiter(10, 1.0)
        return self._limiters[connection]

    async def call(
        self, provider: str, connection: str, req: HttpRequest, *,
        max_bytes: int | None = None, timeout_s: float | None = None,
    ) -> GatewayResponse:
        """Perform ``req``; a body over ``max_bytes`` is refused without reading it all."""
        started = time.perf_counter()
        outcome = "error"
        timeout = aiohttp.ClientTimeout(total=timeout_s) if timeout_s else None
        try:
            async with self._limiter(connection):
                async with self._session.request(
                    req.method, req.url, headers=req.headers, json=req.json, data=req.body,
                    allow_redirects=False, timeout=timeout,
                ) as resp:
                    body = await _read_capped(resp, max_bytes, req.url)
                    outcome = str(resp.status)
                    return GatewayResponse(resp.status, body, dict(resp.headers))
        except aiohttp.ClientConnectorError as exc:  # nothing was sent
            host = urlsplit(req.url).netloc
            raise RetryableError(f"{provider} gateway unreachable at {host}: {exc!r}",
                                 code="GATEWAY_UNREACHABLE") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # the request may have arrived: the gateway may have acted on it (ambiguous)
            host = urlsplit(req.url).netloc
            raise RetryableError(f"{provider} gateway at {host} did not answer: {exc!r}",
                                 code="GATEWAY_TIMEOUT") from exc
        finally:
            GATEWAY_SECONDS.labels(provider, outcome).observe(time.perf_counter() - started)


async def _read_capped(resp: aiohttp.ClientResponse, max_bytes: int | None, url: str) -> bytes:
    if max_bytes is None:
        return await resp.read()
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise PermanentError(f"file at {urlsplit(url).netloc} is {resp.content_length} bytes, "
                             f"over the {max_bytes}-byte limit", code="FILE_TOO_LARGE")
    data = bytearray()
    async for chunk in resp.content.iter_chunked(256 * 1024):
        data += chunk
        if len(data) > max_bytes:
            raise PermanentError(f"file at {urlsplit(url).netloc} is over the {max_bytes}-byte "
                                 "limit", code="FILE_TOO_LARGE")
    return bytes(data)


def url_refusal(url: str, allowed_hosts: frozenset[str], sandbox_url: str) -> str | None:
    """Why a media URL may not be fetched (None: it may): https on port 443 from a gateway
    host only (the sandbox excepted, when it is configured)."""
    parts = urlsplit(url)
    if sandbox_url and url.startswith(sandbox_url.rstrip("/") + "/"):
        return None
    if parts.scheme != "https":
        return f"media URL scheme {parts.scheme!r} refused: only https is fetched"
    if (parts.hostname or "").lower() not in allowed_hosts:
        return f"media host {parts.hostname!r} is not a configured gateway host"
    try:
        port = parts.port
    except ValueError:
        return "media URL has a malformed port"
    if port not in (None, 443):
        return f"media URL port {port} refused: only 443 is fetched"
    if parts.username or parts.password:
        return "media URL with credentials refused"
    return None
