"""HTTP to First Form: authentication, rate limit, retries, and its failures as ours.

- Auth: a personal access token (``1F-Pat``), or a login whose token (``1FormaAuth``) is renewed
  before it expires; a 401 gets one fresh login and one more try, never a loop.
- Rate: at most FIRST_FORM_REQUESTS_PER_SECOND; a 429 waits for its ``Retry-After`` (else an
  exponential backoff) and tries again, up to FIRST_FORM_RETRIES times, then gives up with a
  ``RetryableError`` carrying the wait, so the worker's delay queue takes over.
- 503 (unavailable) is retried the same way. Other 5xx, timeouts and refused connections are
  retried only for requests that are safe to repeat: a creation whose answer was lost is left
  to the caller, who first looks for what the lost attempt did (``shared.first_form.posting``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import msgspec
from aiolimiter import AsyncLimiter

from shared.errors import PermanentError, RetryableError
from shared.first_form import requests
from shared.first_form.options import Options
from shared.first_form.requests import Request
from shared.first_form.responses import AnswerShapeError, token
from shared.logs import get_logger
from shared.metrics import GATEWAY_SECONDS

log = get_logger(__name__)
T = TypeVar("T")
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
REFUSALS = frozenset({429, 503})  # answers that say the request was not carried out


def retry_after_of(headers: Any) -> float | None:
    """``Retry-After`` in seconds (the date form is not used by First Form's proxies)."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def backoff(attempt: int, retry_after: float | None) -> float:
    return min(BACKOFF_CAP_S, retry_after if retry_after is not None
               else BACKOFF_BASE_S * 2 ** attempt)


def limiter(per_second: float) -> AsyncLimiter:
    """At most ``per_second`` requests a second (this process's; each replica has its own),
    in bursts of at most one second's worth; below 1 a second, one every 1/rate seconds."""
    return AsyncLimiter(per_second, 1) if per_second >= 1 else AsyncLimiter(1, 1 / per_second)


class FirstFormClient:
    """Sends ``Request``s; answers JSON (or bytes for downloads) or raises our errors."""

    def __init__(self, session: aiohttp.ClientSession, options: Options, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._session = session
        self._opts = options
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._token_until = 0.0
        self._login_lock = asyncio.Lock()
        self._limiter = limiter(options.requests_per_second)
        self.logins = 0

    async def fetch(self, request: Request, parse: Callable[[Any], T]) -> T:
        """Send and read the answer with ``parse``; an answer of another shape is retryable."""
        body = await self.call(request)
        try:
            return parse(body)
        except AnswerShapeError as exc:
            raise RetryableError(f"First Form answered {request.path} unexpectedly: {exc}",
                                 code="FIRST_FORM_BAD_ANSWER") from exc

    async def call(self, request: Request) -> Any:
        attempt, relogged = 0, False
        while True:
            try:
                status, headers, body = await self._send(request)
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = RetryableError(
                    f"First Form unreachable ({request.method} {request.path}): "
                    f"{type(exc).__name__}: {exc}", code=_unreached_code(request, exc))
                if request.idempotent and attempt < self._opts.retries:
                    await self._wait(request, attempt, None, error)
                    attempt += 1
                    continue
                raise error from exc
            if status == 401 and request.authenticated and not self._opts.pat and not relogged:
                self._token, relogged = None, True  # one fresh login, then one more try
                continue
            if status in (401, 403):
                raise RetryableError(f"First Form refused our credentials ({status}) on "
                                     f"{request.path}: {_text(body)}",
                                     code="FIRST_FORM_UNAUTHORIZED" if status == 401
                                     else "FIRST_FORM_FORBIDDEN")
            if status == 429 or status >= 500:
                wait = retry_after_of(headers)
                error = RetryableError(f"First Form answered {status} on {request.path}: "
                                       f"{_text(body)}", code=f"FIRST_FORM_{status}",
                                       retry_after=wait)
                # 429 and 503 refuse the request; another 5xx may have done it, so then only
                # what is safe to repeat is repeated here
                if (status in REFUSALS or request.idempotent) and attempt < self._opts.retries:
                    await self._wait(request, attempt, wait, error)
                    attempt += 1
                    continue
                raise error
            if status >= 400:
                raise PermanentError(f"First Form refused {request.method} {request.path} "
                                     f"({status}): {_text(body)}", code=f"FIRST_FORM_{status}")
            return body

    async def _wait(self, request: Request, attempt: int, retry_after: float | None,
                    error: RetryableError) -> None:
        delay = backoff(attempt, retry_after)
        log.warning("First Form call failed; trying again", path=request.path,
                    reason=str(error), delay_s=delay)
        await self._sleep(delay)

    async def _send(self, request: Request) -> tuple[int, Any, Any]:
        headers = await self._auth_headers() if request.authenticated else {}
        await self._limiter.acquire()
        started, outcome = time.perf_counter(), "error"
        try:
            async with self._session.request(
                    request.method, self._opts.base_url + request.path, json=request.json,
                    params=request.params, headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self._opts.timeout_s)) as resp:
                raw = await resp.read()
                outcome = str(resp.status)
                return resp.status, resp.headers, _decode(raw, request.binary and
                                                          resp.status < 300)
        finally:
            GATEWAY_SECONDS.labels("first_form", outcome).observe(time.perf_counter() - started)

    async def _auth_headers(self) -> dict[str, str]:
        if self._opts.pat:
            return {"1F-Pat": self._opts.pat}
        async with self._login_lock:
            if self._token is None or self._clock() >= self._token_until:
                await self._login()
        assert self._token is not None
        return {"1FormaAuth": self._token}

    async def _login(self) -> None:
        """A new token, renewed a tenth of its lifetime (at most 5 minutes) before it ends."""
        request = requests.login(self._opts.login, self._opts.password)
        try:
            status, _, body = await self._send(request)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"First Form login unreachable: {exc}",
                                 code="FIRST_FORM_UNAVAILABLE") from exc
        if status != 200:
            raise RetryableError(f"First Form login refused ({status}): {_text(body)}",
                                 code="FIRST_FORM_LOGIN_REFUSED")
        try:
            self._token = token(body)
        except AnswerShapeError as exc:
            raise RetryableError(str(exc), code="FIRST_FORM_BAD_ANSWER") from exc
        ttl = self._opts.token_ttl_s
        self._token_until = self._clock() + ttl - min(300.0, ttl / 10)
        self.logins += 1
        log.info("logged in to First Form", login=self._opts.login)


def _unreached_code(request: Request, exc: Exception) -> str:
    """A creation's outcome is unknown; a read timed out (that request may be the one that is
    slow, as a large feed is) or First Form could not be reached at all."""
    if not request.idempotent:
        return "FIRST_FORM_OUTCOME_UNKNOWN"
    return "FIRST_FORM_TIMEOUT" if isinstance(exc, TimeoutError) else "FIRST_FORM_UNAVAILABLE"


def _decode(raw: bytes, binary: bool) -> Any:
    if binary:
        return raw
    if not raw:
        return None
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw.decode(errors="replace")


def _text(body: Any) -> str:
    text = body if isinstance(body, str) else repr(body)
    return text[:300]
