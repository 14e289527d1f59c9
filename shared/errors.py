"""The three error types the worker understands.

    WabridgeError
    ├── RetryableError   the same message may succeed later (gateway 5xx/429/timeout, broker or
    │                    database unreachable); retried with backoff, dead-lettered past the limit
    ├── PermanentError   the message can never succeed (gateway 4xx, unknown task);
    │                    dead-lettered now
    └── BadPayload       the message cannot even be understood (undecodable, wrong shape);
                         dead-lettered now, or answered with 400 at the HTTP edge

Adapters translate foreign exceptions into these (``raise ... from exc``); only the worker turns
them into ack / retry / dead-letter.
"""

from __future__ import annotations


class WabridgeError(Exception):
    """Base of every error the project raises on purpose."""

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}" if self.code else self.reason


class RetryableError(WabridgeError):
    """May succeed later; ``retry_after`` (seconds) overrides the backoff when the peer says so."""

    def __init__(
        self, reason: str, *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class PermanentError(WabridgeError):
    """Can never succeed as it is; dead-lettered at once with its reason and code."""


class BadPayload(WabridgeError):
    """Input that cannot be decoded or does not have the expected shape."""
