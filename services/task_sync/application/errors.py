"""Refusals of the use cases: what was asked cannot be done as asked.

The HTTP edge answers each with its status and our JSON body; nothing has been stored or
published when one is raised (checks come before effects).
"""

from __future__ import annotations


class Refused(Exception):
    """A request refused for a reason the client can act on."""

    status = 400

    def __init__(self, error: str, reason: str) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason


class NotFound(Refused):
    status = 404


class Forbidden(Refused):
    status = 403


class Conflict(Refused):
    """The target's state does not allow it now (closed task, changed meanwhile)."""

    status = 409


class Invalid(Refused):
    """Well-formed but not acceptable (unknown reference, empty comment, window closed)."""

    status = 422
