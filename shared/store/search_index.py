"""The word index of message text: one entry per (word, task) in ``comment_terms``.

An entry is ``{_id: word + "\\t" + task_id, term, task_id, at}``, ``at`` the order (integer
microseconds, ``shared.domain.comments.order_of``) of the newest indexed comment of the task
that holds the word; an index on (term, at desc) serves a search as index ranges, in the
portable subset (no text index, no regex, no ``$in``, no top-level ``$or``).

Writing is asynchronous, off the comment write path: a comment is inserted with the marker
``to_index: 1`` (in the same insert, no extra round trip), and a revision sets it again. The
indexer (``index_marked``, run by task-sync's background loop) reads marked comments by an
equality on their sparse index, upserts their words in one bulk write (``$max`` of ``at``: the
same batch written twice, by two replicas or after a crash, gives the same entries) and only
then unsets the marker, so a comment stays marked until its words are stored. Comments stored
before the marker existed are indexed once by ``backfill_step``, which walks comments by
``order`` and keeps its place in ``search_index_state``.

Entries are never removed: after an edit the new text's words are added and the old ones stay,
and a deleted message's words still find its task.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne

from shared.domain.comments import order_of
from shared.domain.text_terms import message_words, query_words
from shared.events import utcnow
from shared.store.mongo import Database, db_errors

MARKER = "to_index"
BACKFILL_ID = "backfill"
# entries read per query word, at most: what bounds a search for a very common prefix
MAX_ENTRIES_PER_WORD = 300
# a word's entries are read by age: the last day's, then the last week's, then the window's
_TIERS_DAYS = (1, 7)
_DAY = 86_400_000_000
# marked comments a search also matches itself, at most (the indexer's backlog is small)
MAX_PENDING = 500
_TERMS_INDEX = [("term", ASCENDING), ("at", DESCENDING)]


async def ensure_indexes(db: Database) -> None:
    await db.comments.create_index(MARKER, sparse=True)
    await db.comment_terms.create_index(_TERMS_INDEX)


def marked(doc: dict[str, Any]) -> dict[str, Any]:
    """A comment document as inserted: marked for the indexer."""
    return doc | {MARKER: 1}


def entry_docs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The index entries of these comments, one per (word, task) with its newest order."""
    newest: dict[tuple[str, str], int] = {}
    for doc in docs:
        order = int(doc["order"])
        for word in message_words(doc.get("text"), doc.get("current_text")):
            key = (word, str(doc["task_id"]))
            if newest.get(key, -1) < order:
                newest[key] = order
    return [{"_id": f"{word}\t{task_id}", "term": word, "task_id": task_id, "at": order}
            for (word, task_id), order in newest.items()]


def entries(docs: list[dict[str, Any]]) -> list[UpdateOne]:
    """The index upserts for these comments (idempotent: ``$max`` of the order)."""
    return [UpdateOne({"_id": e["_id"]},
                      {"$set": {"term": e["term"], "task_id": e["task_id"]},
                       "$max": {"at": e["at"]}}, upsert=True)
            for e in entry_docs(docs)]


async def _write(db: Database, docs: list[dict[str, Any]]) -> None:
    ops = entries(docs)
    if ops:
        with db_errors("indexing message words"):
            await db.comment_terms.bulk_write(ops, ordered=False)


async def index_marked(db: Database, batch: int = 200) -> int:
    """Index up to ``batch`` marked comments and clear their marks; how many were indexed.

    A comment edited between the read and the unset keeps its mark (the unset requires the
    text that was indexed), so its new words are indexed in a later round."""
    with db_errors("reading comments to index"):
        docs = await db.comments.find(
            {MARKER: 1}, {"task_id": 1, "order": 1, "text": 1, "current_text": 1}
        ).limit(batch).to_list(None)
    if not docs:
        return 0
    await _write(db, docs)
    unedited = [d["_id"] for d in docs if "current_text" not in d]
    with db_errors("clearing comments' index marks"):
        if unedited:
            await db.comments.update_many(
                {"_id": {"$in": unedited}, "current_text": {"$exists": False}},
                {"$unset": {MARKER: ""}})
        for doc in docs:
            if "current_text" in doc:
                await db.comments.update_one(
                    {"_id": doc["_id"], "current_text": doc["current_text"]},
                    {"$unset": {MARKER: ""}})
    return len(docs)


async def backfill_done(db: Database) -> bool:
    with db_errors("reading the index backfill's progress"):
        state = await db.search_index_state.find_one({"_id": BACKFILL_ID})
    return bool(state and state.get("done"))


async def mark_backfill_done(db: Database) -> None:
    """Every comment stored so far is indexed (the bench seeds the index with its comments)."""
    with db_errors("recording the index backfill's progress"):
        await db.search_index_state.replace_one(
            {"_id": BACKFILL_ID}, {"_id": BACKFILL_ID, "done": True}, upsert=True)


async def backfill_step(db: Database, batch: int = 500) -> int:
    """Index the next ``batch`` comments by ``order`` after the kept place; how many (0 once
    all are done). Resumable: the place is kept after each batch's words are written; a crash
    repeats at most one batch, and replicas that step together repeat work, never skip it."""
    with db_errors("reading the index backfill's progress"):
        state = await db.search_index_state.find_one({"_id": BACKFILL_ID}) or {}
    if state.get("done"):
        return 0
    after_order, after_id = int(state.get("after_order", -1)), str(state.get("after_id", ""))
    fields = {"task_id": 1, "order": 1, "text": 1, "current_text": 1}
    with db_errors("reading comments to backfill the index"):
        # the rest of the kept place's order first (orders may repeat), then later orders
        docs = await db.comments.find({"order": after_order, "_id": {"$gt": after_id}}, fields) \
            .sort("_id", ASCENDING).limit(batch).to_list(None)
        if len(docs) < batch:
            docs += await db.comments.find({"order": {"$gt": after_order}}, fields) \
                .sort([("order", ASCENDING), ("_id", ASCENDING)]) \
                .limit(batch - len(docs)).to_list(None)
    await _write(db, docs)
    last = docs[-1] if docs else None
    progress: dict[str, Any] = {"_id": BACKFILL_ID, "after_order": int(last["order"]),
                                "after_id": str(last["_id"])} if last else \
        {"_id": BACKFILL_ID, "done": True}
    with db_errors("recording the index backfill's progress"):
        await db.search_index_state.replace_one({"_id": BACKFILL_ID}, progress, upsert=True)
    return len(docs)


async def tasks_with_words(db: Database, text: str, since_order: int, limit: int = 200
                           ) -> list[str]:
    """Tasks with a comment since ``since_order`` holding a word that starts with each word of
    ``text`` (the words may be in different comments of the task), newest first.

    The work is bounded: each query word reads at most ``MAX_ENTRIES_PER_WORD`` (300) index
    entries, those of the last day first, then of the last week, then of the rest of the
    window (a range each, no sort: the stand-in sorts a whole range instead of reading the
    index's order). A word or prefix held by more than 300 tasks in a tier finds 300 of that
    tier's (the most recent tier's, so recent chats; which ones within the tier is the
    server's index order); several common words find only the tasks among each one's 300.
    A rare word (an order number) is read whole. On the stand-in a search costs about 0.1 ms
    per entry read, so at most 30 ms a word whatever the store's size.
    Comments not indexed yet (still marked, at most ``MAX_PENDING`` of them) are matched
    here too, so a message is found as soon as it is stored."""
    query = query_words(text)
    if not query:
        return []
    pending = await _pending(db, since_order)
    found: dict[str, int] | None = None
    for word in query:
        newest = await _tasks_with_prefix(db, word, since_order)
        for task_id, at in _pending_with_prefix(pending, word).items():
            newest[task_id] = max(at, newest.get(task_id, -1))
        found = newest if found is None else \
            {t: max(at, newest[t]) for t, at in found.items() if t in newest}
        if not found:
            return []
    ranked = sorted((found or {}).items(), key=lambda item: item[1], reverse=True)
    return [task_id for task_id, _ in ranked[:limit]]


async def _tasks_with_prefix(db: Database, prefix: str, since_order: int) -> dict[str, int]:
    """The tasks of at most ``MAX_ENTRIES_PER_WORD`` entries starting with ``prefix``, the
    newest day's first, then the week's, then the rest of the window's."""
    bound = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the strings starting with prefix
    now = order_of(utcnow())
    edges = [max(since_order, now - days * _DAY) for days in _TIERS_DAYS] + [since_order]
    upper: int | None = None
    newest: dict[str, int] = {}
    read = 0
    for lower in dict.fromkeys(edges):  # the tiers' lower edges, newest first, each once
        at: dict[str, int] = {"$gte": lower} | ({"$lt": upper} if upper is not None else {})
        with db_errors("searching message words"):
            # no sort: the stand-in sorts the whole range instead of reading the index's order
            docs = await db.comment_terms.find(
                {"term": {"$gte": prefix, "$lt": bound}, "at": at}, {"task_id": 1, "at": 1}
            ).limit(MAX_ENTRIES_PER_WORD - read).to_list(None)
        read += len(docs)
        for doc in docs:
            task_id, order = str(doc["task_id"]), int(doc["at"])
            if newest.get(task_id, -1) < order:
                newest[task_id] = order
        if read >= MAX_ENTRIES_PER_WORD:
            break
        upper = lower
    return newest


async def _pending(db: Database, since_order: int) -> list[tuple[str, int, list[str]]]:
    """The marked comments' tasks, orders and words (few: the indexer clears them within
    seconds)."""
    with db_errors("reading comments not indexed yet"):
        docs = await db.comments.find(
            {MARKER: 1}, {"task_id": 1, "order": 1, "text": 1, "current_text": 1}
        ).limit(MAX_PENDING).to_list(None)
    return [(str(d["task_id"]), int(d["order"]),
             message_words(d.get("text"), d.get("current_text")))
            for d in docs if int(d["order"]) >= since_order]


def _pending_with_prefix(pending: list[tuple[str, int, list[str]]], prefix: str
                         ) -> dict[str, int]:
    newest: dict[str, int] = {}
    for task_id, order, words in pending:
        if order > newest.get(task_id, -1) and any(w.startswith(prefix) for w in words):
            newest[task_id] = order
    return newest


class MongoTextIndex:
    """The indexer's ``TextIndex`` on MongoDB: the functions above, bound to a database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def index_marked(self) -> int:
        return await index_marked(self._db)

    async def backfill_done(self) -> bool:
        return await backfill_done(self._db)

    async def backfill_step(self) -> int:
        return await backfill_step(self._db)
