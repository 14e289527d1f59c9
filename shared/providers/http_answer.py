"""Reading gateway HTTP answers the same way in every dialect: JSON bodies, headers, statuses.

Pure: no I/O, no HTTP client. Each provider adds its own error vocabulary on top.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import msgspec

from shared.errors import PermanentError, RetryableError

# Statuses worth another attempt: timeouts, rate limits and server-side failures.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; ``{}`` when empty, not JSON (a proxy's HTML) or not an object."""
    if not body.strip():
        return {}
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, case-insensitively, whatever mapping the caller holds."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def retry_after(headers: Mapping[str, str], default: float | None) -> float | None:
    """``Retry-After`` in seconds when it is a number, else ``default`` (HTTP dates are ignored)."""
    raw = header(headers, "retry-after")
    try:
        seconds = float(raw) if raw is not None else math.nan
    except ValueError:
        return default
    return seconds if math.isfinite(seconds) and seconds >= 0 else default


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def interpret_file_download(provider: str, status: int, headers: Mapping[str, str]) -> None:
    """A plain file GET: returns on 2xx (the body is the file), else raises what it amounts to."""
    if 200 <= status < 300:
        return
    reason = f"{provider} media download answered HTTP {status}"
    if is_retryable_status(status):
        raise RetryableError(reason, code=f"HTTP_{status}", retry_after=retry_after(headers, None))
    # 3xx too: the URL was meant to be the file itself, and gateways' stores do not redirect.
    raise PermanentError(reason, code=f"HTTP_{status}")


def file_name_of(url: str) -> str | None:
    """The last path segment of a URL, percent-decoded; None when the path ends with ``/``."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or None


def epoch_seconds(value: object) -> datetime | None:
    """Epoch seconds (int, float or numeric string) as an aware UTC datetime; None if unusable."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value) if isinstance(value, str | int | float) else math.nan
        if not math.isfinite(seconds):
            return None
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
