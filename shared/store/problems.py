"""Problems: messages no task could hold, one document each (id = the command's, so a repeat
is dropped by the unique ``_id``)."""

from __future__ import annotations

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from shared.domain.problems import Problem
from shared.store.mongo import Database, db_errors, read_as, to_doc


async def record(db: Database, problem: Problem) -> bool:
    """False when it was recorded before."""
    with db_errors("recording a problem"):
        try:
            await db.problems.insert_one(to_doc(problem))
        except DuplicateKeyError:
            return False
    return True


async def recent(db: Database, limit: int = 100) -> list[Problem]:
    with db_errors("listing problems"):
        docs = [d async for d in db.problems.find().sort("at", DESCENDING).limit(limit)]
    return [read_as(Problem, d) for d in docs]


class MongoProblems:
    """The ``Problems`` port on MongoDB."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, problem: Problem) -> bool:
        return await record(self._db, problem)

    async def recent(self, limit: int = 100) -> list[Problem]:
        return await recent(self._db, limit)
