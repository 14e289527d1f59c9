"""Flow sets for tests, benchmarks and end-to-end runs (issue 12).

``shop_flow``: a shop's bot as an admin would build it: a main menu, "Доставка" two levels
deep, a question for an order number kept as a task field, a request-status look-up, a
hand-over to a group and an out-of-hours branch. ``shop_buttons_flow``: the same shop's menu as
Meta reply buttons and a list. ``big_flow``: a deterministic 200-node flow (menus of up to 8
items, four levels, questions, look-ups, buttons and lists) for speed and replay tests.
Times: ``OPEN_AT`` is a Wednesday noon in Moscow, ``CLOSED_AT`` a Friday night.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from hypothesis import strategies as st

from shared.domain.calendar import BusinessCalendar, Hours
from shared.domain.flows import (
    Action,
    AskAction,
    CloseAction,
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Offer,
    SetStatusAction,
    Triggers,
)

OPEN_AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wed 12:00 in Moscow
CLOSED_AT = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)  # Fri 22:30 in Moscow (opens Mon 09:00)
WEEKDAYS = BusinessCalendar(
    timezone="Europe/Moscow",
    hours=[Hours(day=d, start="09:00", end="18:00") for d in ("mon", "tue", "wed", "thu", "fri")])


def _t(*codes: str, keywords: tuple[str, ...] = ()) -> Triggers:
    return Triggers(codes=list(codes), keywords=list(keywords))


ORDER_QUESTION = AskAction(
    field="order_number", pattern=r"\d{6}", max_tries=3,
    reask_text="Номер заказа — 6 цифр, например 123456.",
    done_text="Спасибо! Заказ {value} записан, менеджер изменит адрес.")
STATUS_LOOKUP = LookupStatusAction(
    reask_text="Номер заявки — только цифры.",
    not_found_text="Среди ваших заявок такой нет.")


def shop_flow() -> FlowSet:
    """The shop's bot: menus by codes and keywords, text offers."""
    moscow = Node(id="moscow", title="По Москве", triggers=_t("1", keywords=("москва",)),
                  answer="По Москве:\n1 — Курьер\n2 — Самовывоз", children=[
        Node(id="courier", triggers=_t("1", keywords=("курьер",)),
             answer="Курьер привезёт заказ за 1–2 дня, 300 ₽."),
        Node(id="pickup", triggers=_t("2", keywords=("самовывоз", "забрать сам")),
             answer="Самовывоз бесплатно: ул. Ленина, 1, с 10 до 20."),
    ])
    delivery = Node(
        id="delivery", title="Доставка", triggers=_t("1", keywords=("доставка", "привезти")),
        answer="Доставка:\n1 — По Москве\n2 — По России\n3 — Изменить адрес", children=[
            moscow,
            Node(id="russia", title="По России", triggers=_t("2", keywords=("по россии",)),
                 answer="По России — СДЭК, 3–7 дней."),
            Node(id="address", title="Изменить адрес", triggers=_t("3", keywords=("адрес",)),
                 answer="Напишите номер заказа (6 цифр):", action=ORDER_QUESTION),
        ])
    root = Node(
        id="main", answer=("Здравствуйте! Магазин «Ромашка».\n1 — Доставка\n2 — Оплата\n"
                           "3 — Статус заявки\n4 — Менеджер\n5 — Контакты"),
        children=[
            delivery,
            Node(id="payment", title="Оплата", triggers=_t("2", keywords=("оплата",)),
                 answer="Оплата картой на сайте или при получении."),
            Node(id="status", title="Статус заявки", triggers=_t("3", keywords=("статус",)),
                 answer="Напишите номер заявки:", action=STATUS_LOOKUP),
            Node(id="manager", title="Менеджер", triggers=_t("4", keywords=("менеджер",)),
                 action=HandOverAction(group_id="sales")),
            Node(id="contacts_day", triggers=_t("5", keywords=("контакты",)), hours="open",
                 answer="Звоните: +7 495 000-00-00."),
            Node(id="contacts_night", triggers=_t("5", keywords=("контакты",)), hours="closed",
                 answer="Сейчас мы закрыты; напишите вопрос, ответим утром."),
        ])
    return FlowSet(root=root, hours=WEEKDAYS, handover_text="Передаю ваш вопрос менеджеру.",
                   closed_text="Сейчас мы не работаем; бот ответит, менеджеры — утром.",
                   closed_handover_text="Менеджер ответит вам {opening}.")


def shop_buttons_flow() -> FlowSet:
    """The shop's menu as reply buttons, and its delivery sub-menu as a list."""
    flow = shop_flow()
    delivery = flow.root.children[0]
    root = Node(id="main", answer="Здравствуйте! Чем помочь?", offer="buttons", children=[
        Node(id="delivery", title="Доставка", triggers=delivery.triggers, offer="list",
             answer="Выберите способ доставки:", children=delivery.children),
        Node(id="payment", title="Оплата", answer="Оплата картой или при получении."),
        Node(id="manager", title="Менеджер", action=HandOverAction()),
    ])
    return FlowSet(root=root, handover_text="Передаю ваш вопрос менеджеру.")


_SYLLABLES = ("ка", "ро", "ми", "ле", "ну", "ва", "ти", "со", "пе", "ды", "го", "жу")


def _word(rng: random.Random, used: set[str]) -> str:
    """A made-up Russian-looking keyword of 6+ letters no other node uses."""
    while True:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word not in used:
            used.add(word)
            return word


def big_flow(nodes: int = 200, seed: int = 12) -> FlowSet:
    """A valid flow of exactly ``nodes`` nodes (root included), the same for the same seed."""
    rng = random.Random(seed)
    used: set[str] = set()
    counter = iter(range(1, nodes))
    budget = [nodes - 1]

    def menu(depth: int) -> list[Node]:
        size = min(budget[0], rng.randint(3, 8))
        budget[0] -= size
        items = [next(counter) for _ in range(size)]
        out = []
        for position, number in enumerate(items, start=1):
            out.append(item(number, position, depth))
        return out

    def item(number: int, position: int, depth: int) -> Node:
        word = _word(rng, used)
        triggers = Triggers(codes=[str(position)], keywords=[word])
        base = Node(id=f"n{number}", title=word[:20], triggers=triggers,
                    answer=f"Раздел {word}.")
        roll = rng.random()
        if depth < 4 and budget[0] > 0 and roll < 0.45:
            children = menu(depth + 1)
            offer: Offer = "list" if len(children) <= 10 and rng.random() < 0.3 else "text"
            return Node(id=base.id, title=base.title, triggers=triggers, offer=offer,
                        answer=base.answer, children=children)
        if roll < 0.55:
            return _with(base, AskAction(field=f"field_{number}", pattern=r"\d{4,8}",
                                         reask_text="Только цифры, 4–8.", done_text="Записали."))
        if roll < 0.62:
            return _with(base, STATUS_LOOKUP)
        if roll < 0.67:
            return _with(base, HandOverAction())
        if roll < 0.72:
            return _with(base, SetStatusAction(status="Ожидает ответа"))
        return base

    children: list[Node] = []
    while budget[0] > 0:
        children.extend(menu(1))
    # the root offers text: its many items are numbered in its answer
    for position, child in enumerate(children, start=1):
        children[position - 1] = Node(
            id=child.id, title=child.title, offer=child.offer, answer=child.answer,
            children=child.children, action=child.action,
            triggers=Triggers(codes=[str(position)], keywords=child.triggers.keywords))
    root = Node(id="root", answer="Главное меню.", children=children)
    return FlowSet(root=root, hours=WEEKDAYS, handover_text="Передаю менеджеру.")


def _with(node: Node, action: AskAction | LookupStatusAction | HandOverAction
          | SetStatusAction) -> Node:
    return Node(id=node.id, title=node.title, triggers=node.triggers, answer=node.answer,
                action=action)


def all_ids(flow: FlowSet) -> list[str]:
    """Every node id of ``flow``, depth first."""
    out: list[str] = []
    stack = [flow.root]
    while stack:
        node = stack.pop()
        out.append(node.id)
        stack.extend(reversed(node.children))
    return out


# triggers that collide on purpose: cases, ё/е, typos, phrases, navigation words, signs
_WILD_CODES = ("1", "2", "3", " 1. ", "0", "#", "меню", "да")
_WILD_KEYWORDS = ("доставка", "доставки", "дoставка", "оплата", "оплата заказа", "ёлка",
                  "елка", "товар", "вернуть товар", "?", "да", "!!!")
_OFFERS: tuple[Offer, ...] = ("text", "buttons", "list")
_WORDS = ("доставка", "оплата", "возврат", "гарантия", "самовывоз", "курьер", "скидка",
          "подарок", "рассрочка", "контакты", "адрес", "график")


@st.composite
def wild_flows(draw: st.DrawFn, max_depth: int = 3) -> FlowSet:
    """Any flow set, problems included (bad patterns, shared triggers, dead sub-menus)."""
    ids = itertools.count()

    def node(depth: int) -> Node:
        number = next(ids)
        children = ([] if depth >= max_depth else
                    [node(depth + 1) for _ in range(draw(st.integers(0, 4)))])
        action: Action | None = draw(st.sampled_from([
            None, None, CloseAction(), HandOverAction(group_id="sales"),
            SetStatusAction(status="x"), STATUS_LOOKUP,
            AskAction(field="f", pattern=draw(st.sampled_from([r"\d+", "(", "", ".*"])),
                      reask_text="?", max_tries=draw(st.integers(0, 3)),
                      then=draw(st.sampled_from([None, "n1", "ghost"])))]))
        return Node(
            id=f"n{number}", title=draw(st.text(max_size=25)),
            triggers=Triggers(codes=draw(st.lists(st.sampled_from(_WILD_CODES), max_size=2)),
                              keywords=draw(st.lists(st.sampled_from(_WILD_KEYWORDS),
                                                     max_size=2)),
                              payloads=draw(st.lists(st.sampled_from(["P", "n1"]), max_size=1))),
            answer=draw(st.text(max_size=20)), children=children, action=action,
            offer=draw(st.sampled_from(_OFFERS)),
            hours=draw(st.sampled_from(["any", "any", "open", "closed"])))

    return FlowSet(root=node(0), hours=draw(st.sampled_from([None, WEEKDAYS])),
                   unmatched=draw(st.sampled_from(["hand_over", "repeat"])),
                   handover_text=draw(st.sampled_from(["", "Передаю."])))


@st.composite
def sound_flows(draw: st.DrawFn, max_depth: int = 3) -> FlowSet:
    """Flow sets as careful admins build them (most have no problems): numbered codes,
    distinct keywords, sub-menus only under nodes without a final action."""
    ids = itertools.count(1)

    def menu(depth: int, offer: Offer) -> list[Node]:
        limit = {"buttons": 3, "list": 10}.get(offer, 5)
        words = draw(st.lists(st.sampled_from(_WORDS), unique=True, min_size=1,
                              max_size=limit))
        return [item(depth, position, word, offer)
                for position, word in enumerate(words, start=1)]

    def item(depth: int, position: int, word: str, parent_offer: Offer) -> Node:
        number = next(ids)
        offer = draw(st.sampled_from(("text", *_OFFERS)))
        action = draw(st.sampled_from([
            None, None, None, CloseAction(), HandOverAction(), STATUS_LOOKUP,
            SetStatusAction(status="Ожидает"), ORDER_QUESTION]))
        with_menu = depth < max_depth and not isinstance(
            action, CloseAction | HandOverAction | LookupStatusAction | AskAction)
        triggers = draw(st.sampled_from([
            Triggers(codes=[str(position)], keywords=[word]), Triggers(codes=[str(position)]),
            Triggers(keywords=[word]), Triggers(payloads=[f"tap-{number}"]),
            *([Triggers()] if parent_offer != "text" else [])]))
        return Node(id=f"n{number}", title=word.capitalize(), triggers=triggers,
                    answer=f"{word}.", offer=offer,
                    children=menu(depth + 1, offer) if with_menu and draw(st.booleans()) else [],
                    action=action, hours=draw(st.sampled_from(["any", "any", "any", "open"])))

    offer = draw(st.sampled_from(_OFFERS))
    root = Node(id="root", answer="Здравствуйте!", offer=offer,
                children=menu(1, offer))
    return FlowSet(root=root, hours=draw(st.sampled_from([None, WEEKDAYS])),
                   unmatched=draw(st.sampled_from(["hand_over", "repeat"])))
