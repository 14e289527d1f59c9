"""The word index of message text: marked comments indexed in batches, the backfill, search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.task_sync.application.text_indexer import index_round
from shared import events
from shared.store import comments, inbox, search_index

T0 = events.utcnow() - timedelta(hours=1)
LONG_AGO = T0 - timedelta(days=1)


@pytest.fixture
async def db(db: Any) -> Any:
    await comments.ensure_indexes(db)
    await inbox.ensure_indexes(db)
    await search_index.ensure_indexes(db)
    return db


def comment(n: int, task_id: str, text: str, minutes: int = 0) -> comments.Comment:
    at = T0 + timedelta(minutes=minutes or n)
    return comments.Comment(id=f"c{n}", task_id=task_id, order=comments.order_of(at), at=at,
                            author_kind="customer", direction="in", text=text)


async def store(db: Any, *items: comments.Comment) -> None:
    for item in items:
        assert await comments.insert(db, item)


async def index_all(db: Any) -> None:
    while await search_index.index_marked(db, batch=2):
        pass


async def find(db: Any, text: str, since: Any = LONG_AGO) -> list[str]:
    return await inbox.tasks_with_text(db, text, since)


async def test_a_stored_comment_is_marked_and_indexing_clears_the_mark(db: Any) -> None:
    await store(db, comment(1, "t-1", "Где мой заказ?"), comment(2, "t-2", "Спасибо"))
    assert await db.comments.count_documents({"to_index": 1}) == 2
    assert await db.comment_terms.count_documents({}) == 0
    assert await find(db, "заказ") == ["t-1"]  # found while still marked
    await index_all(db)
    assert await db.comments.count_documents({"to_index": 1}) == 0
    assert await db.comment_terms.count_documents({"task_id": "t-1"}) == 3
    assert await find(db, "заказ") == ["t-1"]  # found through the index
    assert await search_index.index_marked(db) == 0


async def test_a_rare_order_number_finds_its_task_among_many(db: Any) -> None:
    await store(db, *(comment(n, f"t-{n}", f"Вопрос по заказу №{500_000 + n}")
                      for n in range(1, 30)))
    await index_all(db)
    assert await find(db, "500017") == ["t-17"]
    assert await find(db, "№500017") == ["t-17"]
    assert await find(db, "600017") == []


async def test_a_word_prefix_finds_the_tasks_newest_first(db: Any) -> None:
    await store(db, comment(1, "t-1", "Доставка будет завтра"),
                comment(2, "t-2", "доставили, спасибо"), comment(3, "t-3", "Добрый день"))
    await index_all(db)
    assert await find(db, "достав") == ["t-2", "t-1"]
    assert await find(db, "ДОСТАВКА") == ["t-1"]
    assert await find(db, "до") == ["t-3", "t-2", "t-1"]


async def test_two_words_find_the_tasks_holding_both(db: Any) -> None:
    await store(db, comment(1, "t-1", "Где мой заказ 123?"), comment(2, "t-2", "Где курьер"),
                comment(3, "t-3", "заказ пришёл"), comment(4, "t-3", "где чек"))
    await index_all(db)
    assert await find(db, "ГДЕ заказ") == ["t-3", "t-1"]
    assert await find(db, "заказ 123?") == ["t-1"]
    assert await find(db, "где курьер заказ") == []
    assert await find(db, "з.каз") == []


async def test_a_comment_added_later_is_found_at_once_and_after_indexing(db: Any) -> None:
    await store(db, comment(1, "t-1", "Здравствуйте"))
    await index_all(db)
    await store(db, comment(2, "t-2", "Здравствуйте, курьер не приехал"))
    assert await find(db, "здравствуйте") == ["t-2", "t-1"]  # t-2 still marked
    assert await find(db, "курьер") == ["t-2"]
    await index_all(db)
    assert await db.comments.count_documents({"to_index": 1}) == 0
    assert await find(db, "здравствуйте") == ["t-2", "t-1"]
    assert await find(db, "курьер") == ["t-2"]


async def test_the_search_window_leaves_out_older_messages(db: Any) -> None:
    await store(db, comment(1, "t-1", "заказ"))
    await index_all(db)
    assert await find(db, "заказ", since=T0 + timedelta(hours=1)) == []


async def test_an_edited_comment_is_found_by_its_new_words(db: Any) -> None:
    await store(db, comment(1, "t-1", "Где посылка"))
    await index_all(db)
    await comments.mark_revised(db, "c1", deleted=False, text="Где бандероль")
    assert await db.comments.count_documents({"to_index": 1}) == 1
    await index_all(db)
    assert await find(db, "бандероль") == ["t-1"]
    assert await find(db, "посылка") == ["t-1"]  # the original text stays in the task


async def test_indexing_the_same_comments_twice_gives_the_same_entries(db: Any) -> None:
    await store(db, comment(1, "t-1", "заказ заказ"), comment(2, "t-1", "заказ"))
    docs = await db.comments.find({}).to_list(None)
    await db.comment_terms.bulk_write(search_index.entries(docs))
    await db.comment_terms.bulk_write(search_index.entries(docs[:1]))  # an older one, late
    await index_all(db)
    entries = await db.comment_terms.find({"term": "заказ"}).to_list(None)
    assert [(e["_id"], e["task_id"], e["at"]) for e in entries] == [
        ("заказ\tt-1", "t-1", comments.order_of(T0 + timedelta(minutes=2)))]


async def test_the_backfill_indexes_unmarked_comments_and_resumes_where_it_stopped(
        db: Any) -> None:
    at = T0 + timedelta(minutes=5)
    docs = [{"_id": f"old-{n}", "task_id": f"t-{n}", "order": comments.order_of(at) + n // 2,
             "at": at, "author_kind": "customer", "direction": "in", "text": f"старый {n}00"}
            for n in range(7)]  # pairs share an order: the walk must not skip either
    await db.comments.insert_many(docs)
    assert await search_index.backfill_step(db, batch=3) == 3
    assert sorted(await find(db, "старый")) == ["t-0", "t-1", "t-2"]
    assert not await search_index.backfill_done(db)
    # a restart reads the kept place: the next steps continue after it
    assert await search_index.backfill_step(db, batch=3) == 3
    assert await search_index.backfill_step(db, batch=3) == 1
    assert await search_index.backfill_step(db, batch=3) == 0
    assert await search_index.backfill_done(db)
    assert sorted(await find(db, "старый")) == [f"t-{n}" for n in range(7)]
    assert await find(db, "500") == ["t-5"]
    assert await search_index.backfill_step(db, batch=3) == 0


async def test_the_indexer_round_indexes_new_comments_and_backfills_older_ones(db: Any) -> None:
    at = T0 + timedelta(minutes=9)
    await db.comments.insert_one({"_id": "old", "task_id": "t-old",
                                  "order": comments.order_of(at), "at": at,
                                  "author_kind": "customer", "direction": "in",
                                  "text": "архивный вопрос"})  # stored before the marker
    await store(db, comment(1, "t-new", "новый вопрос"))
    index = search_index.MongoTextIndex(db)
    assert await index_round(index) == 3  # the marked one, then a backfill step over both
    assert not await search_index.backfill_done(db)
    assert await index_round(index) == 0  # the walk finds no more: done
    assert await search_index.backfill_done(db)
    assert await db.comments.count_documents({"to_index": 1}) == 0
    assert await db.comment_terms.count_documents({"term": "вопрос"}) == 2
    assert await find(db, "архивн") == ["t-old"]
