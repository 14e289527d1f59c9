"""Connecting, index creation, round-trip metrics and error translation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.errors import RetryableError
from shared.metrics import DB_ROUND_TRIPS, DB_SECONDS, child

Database = AsyncDatabase[dict[str, Any]]
T = TypeVar("T")


class _RoundTrips(monitoring.CommandListener):
    """Counts every command the driver sends, so cost per message is measured, not guessed."""

    def __init__(self) -> None:
        self._labels: dict[int, tuple[str, str]] = {}  # by request id, until it is answered

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        labels = (event.command_name, target if isinstance(target, str) else "")
        child(DB_ROUND_TRIPS, *labels).inc()
        self._labels[event.request_id] = labels

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._took(event.request_id, event.command_name, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._took(event.request_id, event.command_name, event.duration_micros)

    def _took(self, request_id: int, command: str, micros: int) -> None:
        """The command's time, by the labels it was counted under (which collection is slow)."""
        labels = self._labels.pop(request_id, (command, ""))
        child(DB_SECONDS, *labels).inc(micros / 1e6)


def connect(url: str, db_name: str) -> tuple[AsyncMongoClient[dict[str, Any]], Database]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        url, tz_aware=True, serverSelectionTimeoutMS=5000, event_listeners=[_RoundTrips()],
        appname="wabridge",
    )
    return client, client[db_name]


@contextmanager
def db_errors(what: str) -> Iterator[None]:
    """Turn driver failures into ``RetryableError`` naming what we were doing.

    ``DuplicateKeyError`` passes through: callers treat it as "already done".
    """
    try:
        yield
    except DuplicateKeyError:
        raise
    except PyMongoError as exc:
        raise RetryableError(f"database failed while {what}: {exc}", code="DB_UNAVAILABLE") from exc


def stamp(at: datetime) -> str:
    """A time for a field that update operators rewrite: fixed-width ISO-8601 UTC text.

    The nx-27017 stand-in stores datetimes written through ``$set`` as naive, lexically sorted
    strings while inserts keep real dates; a field that is always this text reads, sorts and
    compares the same on the stand-in and on MongoDB, and msgspec parses it back to a datetime.
    """
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def eq(value: Any) -> dict[str, Any]:
    """An equality on a scalar field that is served by a compound index it leads.

    The same as a plain ``{"field": value}`` on MongoDB for a field that never holds an array.
    The nx-27017 stand-in reads a plain equality as "equal, or an array containing it" and
    serves it from an index only when the field has a single-field index of its own; on a
    field led only by a compound index (``sends.queue_key``, ``comments.task_id``) it scanned
    the whole collection (17 ms per call on 6,000 sends, growing). ``$eq`` is a plain SQL
    equality there and uses the compound index (about 1 ms). Never for array fields: the
    stand-in's ``$eq`` does not look inside arrays."""
    return {"$eq": value}


def set_or_unset(always: dict[str, Any], maybe: dict[str, Any]) -> dict[str, Any]:
    """An update that sets ``always`` and each present value of ``maybe``, and unsets the
    absent ones (fields that exist only while they mean something; never explicit nulls)."""
    update: dict[str, Any] = {"$set": always | {k: v for k, v in maybe.items() if v is not None}}
    absent = {k: "" for k, v in maybe.items() if v is None}
    if absent:
        update["$unset"] = absent
    return update


def with_utc(doc: dict[str, Any]) -> dict[str, Any]:
    """Top-level datetimes as aware UTC (some servers' find-and-modify replies are naive)."""
    return {k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v
            for k, v in doc.items()}


def to_doc(item: msgspec.Struct, **extra: Any) -> dict[str, Any]:
    """A Struct as a stored document: ``id`` becomes ``_id``, datetimes stay BSON dates."""
    doc: dict[str, Any] = msgspec.to_builtins(item, builtin_types=(datetime,))
    doc["_id"] = doc.pop("id")
    return doc | extra


def read_as(cls: type[T], doc: dict[str, Any], drop: tuple[str, ...] = ()) -> T:
    """A stored document as ``cls``: ``_id`` becomes ``id``, ``drop`` names stored-only fields;
    lenient about the stand-in's rewrites of updated fields (booleans as 0/1, datetimes as
    naive text), dates as UTC."""
    doc = {k: v for k, v in doc.items() if k not in drop}
    if "_id" in doc:
        doc["id"] = doc.pop("_id")
    return msgspec.convert(with_utc(doc), cls, strict=False)


async def ping(db: Database) -> None:
    started = time.perf_counter()
    await db.command("ping")
    if time.perf_counter() - started > 1.5:
        raise TimeoutError("database answered ping too slowly")


def duplicate_key_field(exc: DuplicateKeyError) -> str:
    """Which unique key a duplicate hit (``_id`` or another indexed field)."""
    details = exc.details or {}
    key_pattern = details.get("keyPattern") or {}
    if key_pattern:
        return str(next(iter(key_pattern)))
    message = str(details.get("errmsg", exc))
    return "_id" if "_id" in message and "index: _id_" in message else message
