"""The inbox over the store: lists by view and role, activity, paging, search, read marks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from shared import events
from shared.domain.access import Viewer
from shared.domain.inbox import NOBODY, Activity, InboxQuery, View
from shared.domain.tasks import Task
from shared.store import comments, inbox, search_index, tasks

T0 = events.utcnow() - timedelta(hours=1)
OPEN = ("Диалог с ботом", "Диалог с менеджером")
CLOSED = "Закрыта"
IVANOVA = Viewer(user_id="u-iv", role="manager", group_ids=frozenset({"g-cc"}))
SMIRNOV = Viewer(user_id="u-sm", role="manager", group_ids=frozenset({"g-sales"}))
SUPERVISOR = Viewer(user_id="u-sup", role="supervisor", group_ids=frozenset({"g-cc"}),
                    group_member_ids=frozenset({"u-iv", "u-pe"}))
ADMIN = Viewer(user_id="u-ad", role="admin")


def task(task_id: str, minutes: int, **fields: Any) -> Task:
    chat = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                          chat_id=f"7901{task_id[-4:]}")
    at = T0 + timedelta(minutes=minutes)
    return Task(id=task_id, title=f"WhatsApp: {task_id}", category="c",
                status=fields.pop("status", OPEN[1]), chat=chat, conversation_id=f"cv-{task_id}",
                created_at=at, updated_at=at, last_activity_at=at, **fields)


def query(viewer: Viewer, view: View, **filters: Any) -> InboxQuery:
    return InboxQuery(viewer=viewer, view=view, open_statuses=OPEN, closed_status=CLOSED,
                      **filters)


async def seed(db: Any) -> None:
    await tasks.ensure_indexes(db)
    await inbox.ensure_indexes(db)
    for item in (
        task("t-0001", 1, assignee_user_id="u-iv", contact_name="Сидоров Пётр",
             phone="79011112233"),
        task("t-0002", 2, assignee_group_id="g-cc", contact_name="Кузнецова Анна"),
        task("t-0003", 3, assignee_group_id="g-sales", contact_name="Орлов Денис"),
        task("t-0004", 4, assignee_user_id="u-pe", status=CLOSED),
        task("t-0005", 5, status=OPEN[0]),
    ):
        await tasks.create(db, item)


async def ids(db: Any, q: InboxQuery) -> list[str]:
    return [t.id for t in await inbox.find(db, q)]


async def test_each_role_sees_its_lists_newest_activity_first(db: Any) -> None:
    await seed(db)
    assert await ids(db, query(IVANOVA, "mine")) == ["t-0001"]
    assert await ids(db, query(IVANOVA, "queue")) == ["t-0002"]
    assert await ids(db, query(SMIRNOV, "queue")) == ["t-0003"]
    assert await ids(db, query(SUPERVISOR, "all")) == ["t-0005", "t-0002", "t-0001"]
    assert await ids(db, query(SUPERVISOR, "closed")) == ["t-0004"]
    assert await ids(db, query(ADMIN, "all")) == ["t-0005", "t-0003", "t-0002", "t-0001"]
    assert await ids(db, query(SMIRNOV, "closed")) == []


async def test_a_new_message_moves_its_task_up_and_counts_the_customers_messages(db: Any) -> None:
    await seed(db)
    later = T0 + timedelta(minutes=30)
    await inbox.record_activity(db, [
        Activity(task_id="t-0001", at=later, preview="Где мой заказ?", direction="in",
                 inbound=2, inbound_at=later),
        Activity(task_id="t-0002", at=T0, preview="older than the task", direction="in")])
    found = await inbox.find(db, query(ADMIN, "all"))
    assert [t.id for t in found][:1] == ["t-0001"]
    first = found[0]
    assert (first.last_preview, first.inbound_count, first.last_direction) == (
        "Где мой заказ?", 2, "in")
    assert first.last_inbound_at is not None
    second = next(t for t in found if t.id == "t-0002")
    assert second.last_preview is None  # an older activity never overwrites a newer one


async def test_a_message_in_the_same_second_the_task_opened_becomes_its_preview(db: Any) -> None:
    """The task's own stamp is the moment it opened; the greeting a fraction of a second later
    (the stand-in compares stamps to the second) is its latest activity all the same."""
    opened = T0.replace(microsecond=200_000)
    await seed(db)
    await tasks.create(db, msgspec.structs.replace(
        task("t-0009", 0), created_at=opened, updated_at=opened, last_activity_at=opened))
    greeting = opened.replace(microsecond=700_000)
    await inbox.record_activity(db, [
        Activity(task_id="t-0009", at=greeting, preview="Здравствуйте! Вас приветствует",
                 direction="out", author_kind="bot")])
    found = next(t for t in await inbox.find(db, query(ADMIN, "all")) if t.id == "t-0009")
    assert found.last_preview == "Здравствуйте! Вас приветствует"
    assert found.last_author_kind == "bot"  # the inbox says "Бот:", not "Вы:"


async def test_pages_continue_after_the_cursor_without_repeats(db: Any) -> None:
    await seed(db)
    first = await inbox.find(db, query(ADMIN, "all", limit=2))
    last = first[-1]
    at = (last.last_activity_at or last.created_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rest = await ids(db, query(ADMIN, "all", limit=2, before=(at, last.id)))
    assert [t.id for t in first] + rest == ["t-0005", "t-0003", "t-0002", "t-0001"]


async def test_search_by_phone_digits_and_by_name_prefix(db: Any) -> None:
    await seed(db)
    assert await ids(db, query(ADMIN, "all", search="+7 901 111")) == ["t-0001"]
    assert await ids(db, query(ADMIN, "all", search="кузн")) == ["t-0002"]
    assert await ids(db, query(IVANOVA, "all", search="орлов")) == []  # not hers to see
    assert await ids(db, query(ADMIN, "all", search="79011112233")) == ["t-0001"]
    assert await ids(db, query(ADMIN, "all", search="790111122334")) == []
    assert await ids(db, query(ADMIN, "all", search="Сидоров Пётр")) == ["t-0001"]
    assert await ids(db, query(ADMIN, "all", search="сидорова")) == []
    assert await ids(db, query(ADMIN, "all", search="идоров")) == []  # a prefix, not a part


async def test_a_search_and_filters_make_one_flat_filter(db: Any) -> None:
    """Flat, the stand-in runs a list in SQL (a top-level $and it filters in Python over every
    task); a filter on a field the view sets already still narrows the list."""
    await seed(db)
    searched = query(ADMIN, "all", search="сидор", provider="wazzup")
    assert all("$and" not in b for b in inbox._branches(searched))
    assert await ids(db, searched) == ["t-0001"]
    assert await ids(db, query(IVANOVA, "mine", search="79011")) == ["t-0001"]
    assert await ids(db, query(SUPERVISOR, "all", search="кузн")) == ["t-0002"]
    assert await ids(db, query(ADMIN, "all", status=OPEN[0])) == ["t-0005"]
    assert await ids(db, query(ADMIN, "all", status=CLOSED)) == []


async def test_a_supervisors_list_merges_the_branches_of_the_scope(db: Any) -> None:
    """One query per branch of the scope (their groups, their members, nobody's) and per
    branch of the page cursor, merged newest first, each task once, limited."""
    await seed(db)
    await tasks.create(db, task("t-0006", 6, assignee_user_id="u-pe", assignee_group_id="g-cc"))
    await tasks.create(db, task("t-0007", 7, assignee_user_id="u-sm", assignee_group_id="g-sales"))
    assert all("$or" not in b for b in inbox._branches(query(SUPERVISOR, "all")))
    assert await ids(db, query(SUPERVISOR, "all")) == ["t-0006", "t-0005", "t-0002", "t-0001"]
    first = await inbox.find(db, query(SUPERVISOR, "all", limit=3))
    last = first[-1]
    at = (last.last_activity_at or last.created_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rest = await ids(db, query(SUPERVISOR, "all", limit=3, before=(at, last.id)))
    assert [t.id for t in first] + rest == ["t-0006", "t-0005", "t-0002", "t-0001"]
    assert await inbox.count(db, query(SUPERVISOR, "all"), 100) == 4


async def test_counts_follow_the_lists(db: Any) -> None:
    await seed(db)
    assert await inbox.count(db, query(IVANOVA, "mine"), 100) == 1
    assert await inbox.count(db, query(SUPERVISOR, "all"), 100) == 3


async def test_read_marks_only_move_forward(db: Any) -> None:
    await seed(db)
    await inbox.mark_seen(db, "u-iv", "t-0001", 3, T0)
    await inbox.mark_seen(db, "u-iv", "t-0001", 1, T0)
    assert await inbox.seen_counts(db, "u-iv", ["t-0001", "t-0002"]) == {"t-0001": 3}


async def test_message_text_search_finds_recent_tasks(db: Any) -> None:
    await comments.ensure_indexes(db)
    await inbox.ensure_indexes(db)
    for n, text in enumerate(["Добрый день", "Где мой заказ 123?", "спасибо"]):
        at = T0 + timedelta(minutes=n)
        await comments.insert(db, comments.Comment(
            id=f"c{n}", task_id=f"t-{n}", order=comments.order_of(at), at=at,
            author_kind="customer", direction="in", text=text))
    for indexed in (False, True):  # a moment after it is stored, and through the word index
        if indexed:
            assert await search_index.index_marked(db) == 3
        assert await inbox.tasks_with_text(db, "заказ", T0 - timedelta(days=1)) == ["t-1"]
        assert await inbox.tasks_with_text(db, "ГДЕ мой", T0 - timedelta(days=1)) == ["t-1"]
        assert await inbox.tasks_with_text(db, "заказ 123?", T0 - timedelta(days=1)) == ["t-1"]
        assert await inbox.tasks_with_text(db, "з.каз", T0 - timedelta(days=1)) == []
        assert await inbox.tasks_with_text(db, "заказ", T0 + timedelta(hours=1)) == []


async def test_a_queue_of_two_groups_in_two_statuses_is_one_list_newest_first(db: Any) -> None:
    """A person in two groups sees both groups' queues in two statuses as one list."""
    await seed(db)
    both = Viewer(user_id="u-x", role="manager", group_ids=frozenset({"g-cc", "g-sales"}))
    await tasks.create(db, task("t-0006", 6, assignee_group_id="g-sales", status=OPEN[0]))
    await tasks.create(db, task("t-0007", 0, assignee_group_id="g-cc", status=OPEN[0]))
    q = query(both, "queue")
    assert await ids(db, q) == ["t-0006", "t-0003", "t-0002", "t-0007"]
    assert await ids(db, query(both, "queue", limit=2)) == ["t-0006", "t-0003"]
    assert await inbox.count(db, q, 100) == 4
    assert await inbox.count(db, q, 3) == 3  # at the cap: "at least 3"


async def test_the_assignee_filter_names_a_person_or_nobody(db: Any) -> None:
    await seed(db)
    assert await ids(db, query(SUPERVISOR, "all", assignee_user_id="u-iv")) == ["t-0001"]
    assert await ids(db, query(SUPERVISOR, "all", assignee_user_id=NOBODY)) == [
        "t-0005", "t-0002"]
    assert await ids(db, query(ADMIN, "all", assignee_user_id=NOBODY)) == [
        "t-0005", "t-0003", "t-0002"]
