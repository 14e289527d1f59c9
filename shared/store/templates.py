"""The cache of message templates (task-sync): one document per template and connection,
replaced as a whole set when a gateway's list arrives; a status webhook changes one at once."""

from __future__ import annotations

from shared.domain.templates import Template
from shared.store.mongo import Database, db_errors, read_as, to_doc


async def replace(db: Database, provider: str, connection: str,
                  templates: list[Template]) -> None:
    """The connection's templates are ``templates`` now (a set, not a merge)."""
    with db_errors("caching templates"):
        await db.templates.delete_many({"provider": provider, "connection": connection})
        if templates:
            await db.templates.insert_many([to_doc(t) for t in templates], ordered=False)


async def listed(db: Database, provider: str | None = None) -> list[Template]:
    query = {"provider": provider} if provider else {}
    with db_errors("reading cached templates"):
        docs = [d async for d in db.templates.find(query)]
    return sorted((read_as(Template, d) for d in docs), key=lambda t: (t.name, t.language))


async def set_status(db: Database, provider: str, name: str, language: str, status: str,
                     reason: str | None) -> None:
    """A reviewed template's new status (every connection listing it)."""
    query = {"provider": provider, "name": name} | ({"language": language} if language else {})
    update: dict[str, object] = {"$set": {"status": status}}
    if reason and reason.upper() != "NONE":
        update["$set"] = {"status": status, "reason": reason}
    with db_errors("updating a template's status"):
        await db.templates.update_many(query, update)


class MongoTemplates:
    """The ``Templates`` port on MongoDB."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def replace(self, provider: str, connection: str, templates: list[Template]) -> None:
        await replace(self._db, provider, connection, templates)

    async def listed(self, provider: str | None = None) -> list[Template]:
        return await listed(self._db, provider)

    async def set_status(self, provider: str, name: str, language: str, status: str,
                         reason: str | None) -> None:
        await set_status(self._db, provider, name, language, status, reason)
