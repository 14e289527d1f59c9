"""The port of the problem list (messages no task could hold), and its log-only stand-in."""

from __future__ import annotations

from typing import Protocol

from shared.domain.problems import Problem
from shared.logs import get_logger

log = get_logger(__name__)


class Problems(Protocol):
    """Messages no task could hold, newest first."""

    async def record(self, problem: Problem) -> bool: ...

    async def recent(self, limit: int = 100) -> list[Problem]: ...


class LoggedProblems:
    """Where no store is wired (tests of other use cases): problems go to the log only."""

    async def record(self, problem: Problem) -> bool:
        log.warning("problem not stored (no problem store)", reason=problem.reason)
        return True

    async def recent(self, limit: int = 100) -> list[Problem]:
        return []
