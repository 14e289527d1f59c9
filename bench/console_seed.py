"""A store the size of a busy contact centre's, for the console phase: tasks and comments
inserted in bulk directly into the run's database, in the shapes the store writes them.

Tasks are the documents ``shared.store.tasks.create`` writes, with the activity fields as
``shared.store.inbox.record_activity`` sets them (text stamps); the first task goes through
``tasks.create`` itself and the bulk documents must carry the same fields, so a change of the
store's shape fails the seed instead of measuring a different store. Comments are the documents
``comments.insert_many`` writes, without its mark for the word indexer: the seed writes their
entries of the message-text search's word index itself (``search_index.entry_docs``, the same
words), in bulk, and records the index's backfill as done, so task-sync's indexer has nothing
to catch up on while the phase measures.

Who holds what: the demo people (``deploy/seed/demo.yaml``) and 20 more managers, half in each
group; 85 % of the tasks are closed, 11 % with a manager, 4 % with the bot. A task with a
manager (open or closed) belongs to one person and that person's group (90 %) or waits in a
group's queue (10 %); a task with the bot has neither. Activity is spread over 90 days. Every
task gets ``comments / tasks`` comments (customer, bot and manager in turn), except the first:
the newest chat, assigned to the demo manager, with ``long_chat`` comments.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from bench.load import CHANNEL
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.directory import User
from shared.domain.inbox import preview_of
from shared.domain.tasks import Task
from shared.store import directory, search_index
from shared.store import tasks as task_store
from shared.store.mongo import Database, stamp, to_doc

CONTACT_CENTRE, SALES = "grp-contact-centre", "grp-sales"
# (user id, group or None, full name): the demo seed's people
DEMO_PEOPLE = (("usr-ivanova", CONTACT_CENTRE, "Иванова Мария Сергеевна"),
               ("usr-petrov", CONTACT_CENTRE, "Петров Алексей Игоревич"),
               ("usr-smirnov", SALES, "Смирнов Олег Викторович"),
               ("usr-supervisor", CONTACT_CENTRE, "Соколова Елена Павловна"),
               ("usr-admin", None, "Администратор Демо"))
EXTRA_MANAGERS = 20
STATUSES = ("Диалог с ботом", "Диалог с менеджером", "Закрыта")  # shared.config's defaults
SPREAD = timedelta(days=90)
TASK_BATCH, COMMENT_BATCH = 2000, 5000
ORDER_NUMBER_BASE = 500_000  # each task's first customer message names order №(base + index)

SURNAMES = ("Сидоров", "Кузнецов", "Орлов", "Волков", "Попов", "Лебедев", "Козлов", "Новиков",
            "Морозов", "Петухов", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов",
            "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев",
            "Тарасов", "Белов", "Комаров", "Киселёв", "Макаров", "Андреев", "Ковалёв",
            "Ильин", "Гусев", "Титов", "Кудрявцев", "Баранов", "Куликов", "Алексеев",
            "Степанов", "Яковлев", "Сорокин", "Сергеев")
FIRST_NAMES = ("Пётр", "Анна", "Денис", "Игорь", "Ольга", "Мария", "Сергей", "Елена", "Андрей",
               "Наталья", "Алексей", "Татьяна", "Дмитрий", "Ирина", "Михаил", "Светлана")
CUSTOMER_TEXTS = ("Здравствуйте! Когда будет доставка?", "Можно поменять адрес доставки?",
                  "Спасибо, всё получил", "А есть этот товар в другом цвете?",
                  "Подскажите, пожалуйста, сроки возврата", "Курьер не приехал",
                  "Хочу оплатить картой при получении", "Сколько стоит доставка в Казань?")
BOT_TEXTS = ("Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК).",
             "Передаю ваш вопрос менеджеру, он скоро ответит.",
             "Напишите 1 — график работы, 2 — адрес, 3 — доставка.")
MANAGER_TEXTS = ("Добрый день! Проверяю ваш заказ, минуту.",
                 "Доставка будет завтра с 10 до 14.", "Адрес поменяли, спасибо!",
                 "Возврат возможен в течение 14 дней.")


@dataclass(frozen=True)
class Person:
    user_id: str
    group_id: str | None
    full_name: str


@dataclass(frozen=True)
class Seeded:
    tasks: int
    comments: int
    long_chat_task_id: str
    long_chat_comments: int
    people: int
    seconds: float
    phones: list[str]         # open tasks' phones, for phone-prefix searches
    names: list[str]          # open tasks' contact names, for name-prefix searches
    order_numbers: list[int]  # order numbers an open task's recent message names

    def as_dict(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "comments": self.comments,
                "long_chat_comments": self.long_chat_comments, "people": self.people,
                "seed_s": round(self.seconds, 1),
                "seed_docs_per_s": round((self.tasks + self.comments) / self.seconds)
                if self.seconds else None}


def people() -> list[Person]:
    extra = [Person(f"usr-bench-mgr-{n:02d}", (CONTACT_CENTRE, SALES)[n % 2],
                    f"Менеджер Стенда {n:02d}") for n in range(EXTRA_MANAGERS)]
    return [Person(*p) for p in DEMO_PEOPLE] + extra


async def add_people(db: Database) -> None:
    """The extra managers, through the directory store (the demo people exist already)."""
    for person in people()[len(DEMO_PEOPLE):]:
        assert person.group_id is not None
        await directory.upsert_user(db, User(id=person.user_id, full_name=person.full_name,
                                             role="manager", group_ids=[person.group_id]))


def task_doc(task: Task) -> dict[str, Any]:
    """The document ``tasks.create`` stores, with the activity stamps ``record_activity`` sets."""
    doc = to_doc(task, chat_key=task.chat.key, updated_at=stamp(task.updated_at),
                 search_name=task_store.search_name(task))
    for name in ("last_activity_at", "last_inbound_at"):
        value = getattr(task, name)
        if value is not None:
            doc[name] = stamp(value)
    return doc


@dataclass
class _Plan:
    """One task and its comments, before they become documents."""

    task: Task
    comments: list[Comment]


class _Maker:
    def __init__(self, n_tasks: int, n_comments: int, long_chat: int, now: datetime) -> None:
        self.rng = random.Random(9)
        self.now = now
        self.n_tasks = n_tasks
        self.long_chat = min(long_chat, n_comments)
        rest = n_comments - self.long_chat
        self.per_task, self.extra = divmod(rest, max(n_tasks - 1, 1))
        self.people = people()
        # open tasks' phones, names and (named within the last 25 days) order numbers: what a
        # search looks for, found in the lists of open tasks
        self.phones: list[str] = []
        self.names: list[str] = []
        self.recent_orders: list[int] = []
        self.sample_p = min(1.0, 400 / max(1, n_tasks))

    def comments_of(self, index: int) -> int:
        if index == 0:
            return self.long_chat
        return self.per_task + (1 if index - 1 < self.extra else 0)

    def plan(self, index: int) -> _Plan:
        rng = self.rng
        task_id = f"{rng.getrandbits(128):032x}"
        phone = f"79{rng.randrange(10**9):09d}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}"
        n = self.comments_of(index)
        if index == 0:  # the long chat: the newest, with the demo manager
            status, last = STATUSES[1], self.now - timedelta(seconds=1)
            assignee: tuple[str | None, str | None] = ("usr-ivanova", CONTACT_CENTRE)
        else:
            roll = rng.random()
            status = STATUSES[2] if roll < 0.85 else STATUSES[1] if roll < 0.96 else STATUSES[0]
            last = self.now - SPREAD * rng.random() - timedelta(seconds=2)
            assignee = self._assignee(status)
        gap = timedelta(seconds=rng.uniform(20, 300))
        created = last - gap * max(n - 1, 0)
        chat = events.ChatRef(provider="wazzup", channel_id=CHANNEL, chat_type="whatsapp",
                              chat_id=phone)
        comments = [self._comment(task_id, index, k, created + gap * k, assignee[0])
                    for k in range(n)]
        if status != STATUSES[2] and rng.random() < self.sample_p:
            self.phones.append(phone)
            self.names.append(name)
            if created > self.now - timedelta(days=25):
                self.recent_orders.append(ORDER_NUMBER_BASE + index)
        inbound = [c for c in comments if c.direction == "in"]
        newest = comments[-1] if comments else None
        task = Task(
            id=task_id, title=f"WhatsApp: {name}", category="Общение WhatsApp", status=status,
            chat=chat, conversation_id=f"bench-conv-{task_id}", created_at=created,
            updated_at=last, phone=phone, contact_name=name, assignee_user_id=assignee[0],
            assignee_group_id=assignee[1], last_activity_at=last,
            last_preview=preview_of(newest.text) if newest else None,
            last_direction=newest.direction if newest else None, inbound_count=len(inbound),
            last_inbound_at=inbound[-1].at if inbound else None)
        return _Plan(task, comments)

    def _assignee(self, status: str) -> tuple[str | None, str | None]:
        if status == STATUSES[0]:
            return None, None
        if self.rng.random() < 0.1:
            return None, self.rng.choice((CONTACT_CENTRE, SALES))
        person = self.rng.choice(self.people)
        return person.user_id, person.group_id

    def _comment(self, task_id: str, index: int, k: int, at: datetime,
                 assignee: str | None) -> Comment:
        rng = self.rng
        at += timedelta(microseconds=rng.randrange(1000))
        comment_id = f"{task_id[:20]}{k:012x}"
        common = Comment(id=comment_id, task_id=task_id, order=order_of(at), at=at,
                         author_kind="customer", direction="in", text="",
                         gateway_message_id=f"bench-{comment_id}")
        if k % 3 == 0:
            text = (f"Здравствуйте! Вопрос по заказу №{ORDER_NUMBER_BASE + index}" if k == 0
                    else rng.choice(CUSTOMER_TEXTS))
            return msgspec.structs.replace(common, text=text)
        out = msgspec.structs.replace(common, direction="out", send_id=f"send-{comment_id}",
                                      delivery="read", delivery_rank=3)
        if k % 3 == 1 or assignee is None:
            return msgspec.structs.replace(out, author_kind="bot", text=rng.choice(BOT_TEXTS),
                                           author_name="WhatsAppRobot")
        return msgspec.structs.replace(out, author_kind="user", text=rng.choice(MANAGER_TEXTS),
                                       author_user_id=assignee, author_name="Менеджер")


async def _insert_comments(db: Database, batch: list[Comment]) -> None:
    """The comments as ``comments.insert_many`` stores them, unmarked, and their index entries."""
    docs = [to_doc(comment) for comment in batch]
    await db.comments.insert_many(docs, ordered=False)
    await db.comment_terms.insert_many(search_index.entry_docs(docs), ordered=False)


def _batches(maker: _Maker) -> Iterator[tuple[list[Task], list[Comment]]]:
    task_batch: list[Task] = []
    comment_batch: list[Comment] = []
    for index in range(maker.n_tasks):
        planned = maker.plan(index)
        task_batch.append(planned.task)
        comment_batch += planned.comments
        if len(task_batch) >= TASK_BATCH or len(comment_batch) >= COMMENT_BATCH:
            yield task_batch, comment_batch
            task_batch, comment_batch = [], []
    if task_batch or comment_batch:
        yield task_batch, comment_batch


async def seed(db: Database, n_tasks: int, n_comments: int, long_chat: int = 1000,
               progress: Any = None) -> Seeded:
    """Insert the store; the first task through ``tasks.create``, checking the bulk shape."""
    started = time.monotonic()
    await add_people(db)
    await search_index.mark_backfill_done(db)  # what is seeded here is indexed here
    maker = _Maker(n_tasks, n_comments, long_chat, datetime.now(UTC))
    long_chat_id = ""
    done_tasks = done_comments = 0
    next_report = started + 15
    for task_batch, comment_batch in _batches(maker):
        docs = [task_doc(t) for t in task_batch]
        if done_tasks == 0 and task_batch:
            first = task_batch[0]
            long_chat_id = first.id
            await task_store.create(db, first)
            stored = await db.tasks.find_one({"_id": first.id})
            assert stored is not None
            if set(stored) | {"last_inbound_at"} != set(docs[0]):
                raise RuntimeError("the bench's task documents differ from the store's: "
                                   f"{sorted(set(stored) ^ set(docs[0]))}")
            await db.tasks.replace_one({"_id": first.id}, docs[0])  # with the activity stamps
            docs = docs[1:]
        if docs:
            await db.tasks.insert_many(docs, ordered=False)
        if comment_batch:
            await _insert_comments(db, comment_batch)
        done_tasks += len(task_batch)
        done_comments += len(comment_batch)
        if progress is not None and time.monotonic() >= next_report:
            rate = (done_tasks + done_comments) / (time.monotonic() - started)
            progress(f"  seeded {done_tasks:,} tasks, {done_comments:,} comments "
                     f"({rate:,.0f} docs/s)")
            next_report = time.monotonic() + 15
    return Seeded(tasks=done_tasks, comments=done_comments, long_chat_task_id=long_chat_id,
                  long_chat_comments=maker.long_chat, people=len(maker.people),
                  seconds=time.monotonic() - started, phones=maker.phones, names=maker.names,
                  order_numbers=maker.recent_orders)
