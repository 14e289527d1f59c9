"""Building blocks of the OpenAPI document: an operation with its usual responses."""

from __future__ import annotations

from typing import Any

# Query parameters by name: counts and positions are integers (the handlers answer 400
# bad_query to anything else), the rest are text.
_QUERY_TYPES: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 0}, "offset": {"type": "integer", "minimum": 0},
    "before": {"type": "integer", "minimum": 0},
    "format": {"type": "string", "enum": ["json", "csv"]},
    "since": {"type": "string", "format": "date-time"},
    "until": {"type": "string", "format": "date-time"},
}


def param(name: str, where: str) -> dict[str, Any]:
    schema = _QUERY_TYPES.get(name, {"type": "string"}) if where == "query" else {
        "type": "string"}
    return {"name": name, "in": where, "required": where == "path", "schema": schema}


def op(summary: str, ok: str, *, body: str | None = None, status: str = "200",
        params: tuple[tuple[str, str, str], ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [param(n, where) for n, where, _ in params],
        "responses": {
            status: {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{ok}"}}}},
            "401": {"$ref": "#/components/responses/Unauthenticated"},
        },
    }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}}}}
        op["responses"]["422"] = {"$ref": "#/components/responses/Invalid"}
        op["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    if any(where == "query" for _, where, _ in params):
        op["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    if any(where == "path" for _, where, _ in params):
        op["responses"]["404"] = {"$ref": "#/components/responses/NotFound"}
    return op


def also(op: dict[str, Any], *codes: str) -> dict[str, Any]:
    """Add the shared error responses named by status code (403, 409)."""
    names = {"403": "Forbidden", "409": "Conflict", "429": "TooManyAttempts"}
    for code in codes:
        op["responses"][code] = {"$ref": f"#/components/responses/{names[code]}"}
    return op


def gone(summary: str, params: tuple[tuple[str, str, str], ...], *codes: str) -> dict[str, Any]:
    """An operation answering 204 without a body."""
    done = op(summary, "Problem", params=params)
    done["responses"] = {"204": {"description": "Done"}} | {
        k: v for k, v in done["responses"].items() if k != "200"}
    return also(done, *codes)
