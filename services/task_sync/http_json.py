"""JSON in and out of the operator API, validated with msgspec."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from services.task_sync.application.errors import Refused

T = TypeVar("T")
_encoder = msgspec.json.Encoder()


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(data), status=status, content_type="application/json")


class Problem(web.HTTPError):
    """Any 4xx/5xx with our JSON body (aiohttp's own classes differ in their arguments)."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        self.status_code = status
        super().__init__(text=_encoder.encode({"error": error, "reason": reason}).decode(),
                         content_type="application/json")


def problem(status: int, error: str, reason: str) -> web.HTTPException:
    """An HTTP error with our JSON body, to raise from a handler."""
    return Problem(status, error, reason)


async def read_body(request: web.Request, cls: type[T]) -> T:
    """Decode and validate the body as ``cls``; 400 with msgspec's reason (it names the field)."""
    raw = await request.read()
    try:
        return msgspec.json.decode(raw, type=cls)
    except msgspec.ValidationError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise problem(400, "malformed_json", str(exc)) from None


@web.middleware
async def refusals_as_problems(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A use case's refusal becomes its HTTP status with our JSON body."""
    try:
        return await handler(request)
    except Refused as exc:
        raise problem(exc.status, exc.error, exc.reason) from None


async def multipart_of(request: web.Request) -> MultipartReader:
    """The request's form; 415 unless it is multipart."""
    if not request.content_type.startswith("multipart/"):
        raise problem(415, "multipart_required", "send the form as multipart/form-data")
    try:
        return await request.multipart()
    except (HttpProcessingError, ValueError, AssertionError) as exc:
        raise problem(400, "bad_multipart", f"the multipart body is malformed: {exc}") from None


async def next_part(reader: MultipartReader) -> BodyPartReader | None:
    """The form's next part (None after the last); 400 for a malformed body (aiohttp raises on
    a part's bad headers) or a nested multipart."""
    try:
        part = await reader.next()
    except (HttpProcessingError, ValueError, AssertionError) as exc:
        raise problem(400, "bad_multipart", "the multipart body is malformed: "
                      f"{getattr(exc, 'message', None) or exc}"[:300]) from None
    if part is not None and not isinstance(part, BodyPartReader):
        raise problem(400, "bad_multipart", "nested multipart bodies are not supported")
    return part
