"""JSON in and out of the operator API, validated with msgspec."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from aiohttp import web

T = TypeVar("T")
_encoder = msgspec.json.Encoder()


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(data), status=status, content_type="application/json")


def problem(status: int, error: str, reason: str) -> web.HTTPException:
    """An HTTP error with our JSON body, to raise from a handler."""
    cls = web.HTTPException
    for candidate in (web.HTTPBadRequest, web.HTTPUnauthorized, web.HTTPForbidden,
                      web.HTTPNotFound, web.HTTPConflict, web.HTTPUnprocessableEntity,
                      web.HTTPServiceUnavailable, web.HTTPRequestEntityTooLarge):
        if candidate.status_code == status:
            cls = candidate
    return cls(body=_encoder.encode({"error": error, "reason": reason}),
               content_type="application/json")


async def read_body(request: web.Request, cls: type[T]) -> T:
    """Decode and validate the body as ``cls``; 400 with msgspec's reason (it names the field)."""
    raw = await request.read()
    try:
        return msgspec.json.decode(raw, type=cls)
    except msgspec.ValidationError as exc:
        raise problem(422, "invalid_body", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise problem(400, "malformed_json", str(exc)) from None
