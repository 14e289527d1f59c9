"""Why a flow set cannot be published (pure): every problem, each named by node and code.

A flow with problems would strand customers (a menu item nothing selects, a question nobody
can answer) or fail at the gateway (four reply buttons, a 30-character button title), so the
draft is refused with the whole list at once and the editor marks each node. Selection is
decided by the engine's own matcher (``flow_match``), so "reachable" here means exactly what
the bot will do, including which sibling wins a shared word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from shared.domain.calendar import validation_error
from shared.domain.flow_hours import applies, visible_children
from shared.domain.flow_match import by_payload, is_one_of, match_text, normalise, offered_title
from shared.domain.flows import (
    AskAction,
    CloseAction,
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Problem,
    SetStatusAction,
)

# Meta's limits on interactive messages
MAX_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_ROWS, MAX_ROW_TITLE = 10, 24
_ENDS_DIALOGUE = (HandOverAction, CloseAction, AskAction, LookupStatusAction)


def _walk(node: Node) -> Iterator[tuple[Node, Node | None]]:
    """Every node with its parent, depth first in the admin's order."""
    stack: list[tuple[Node, Node | None]] = [(node, None)]
    while stack:
        current, parent = stack.pop()
        yield current, parent
        stack.extend((child, current) for child in reversed(current.children))


def _is_menu(node: Node, root: Node) -> bool:
    """Whether a customer can stand in ``node``'s sub-menu (actions that hand over, close or
    ask move them elsewhere, so such a node's children are never offered)."""
    return node is root or not isinstance(node.action, _ENDS_DIALOGUE)


def _openness(flow: FlowSet) -> tuple[bool, ...]:
    return (True, False) if flow.hours is not None else (True,)


class _Messages:
    """Every code, keyword and payload the flow defines: the texts and taps a customer could
    be led to send (one sibling's trigger may select another, so all of them are tried)."""

    def __init__(self, flow: FlowSet) -> None:
        texts: dict[str, str] = {}
        payloads: set[str] = set()
        for node, parent in _walk(flow.root):
            if parent is None:
                continue  # the root's triggers are never matched
            for text in [*node.triggers.codes, *node.triggers.keywords]:
                texts.setdefault(normalise(text), text)
            payloads.update(node.triggers.payloads)
        self.texts = list(texts.values())
        self.payloads = sorted(payloads)
        self.navigation = [*flow.navigation.back, *flow.navigation.main]


def _selected_in(flow: FlowSet, menu: Node, messages: _Messages,
                 shown_at: set[bool]) -> list[Node]:
    """The children of ``menu`` some message selects there, decided by the engine's matcher:
    at the root any word (the first message is matched before navigation), below it none a
    navigation word takes; at either openness when the flow has business hours. Buttons and
    rows are tapped only at an openness ``menu``'s answer went out at (``shown_at``); their
    numbers can be typed whenever."""
    found: dict[int, Node] = {}
    numbered = menu.offer != "text"
    for open_now in _openness(flow):
        siblings = visible_children(menu, open_now)
        wanted = {id(n) for n in siblings}
        shown = [n.id for n in siblings] if numbered and open_now in shown_at else []
        numbers = [str(k) for k in range(1, len(siblings) + 1)] if numbered else []
        for tap in [*shown, *messages.payloads]:
            if wanted <= found.keys():
                break
            node = by_payload(siblings, tap)
            if node is not None:
                found[id(node)] = node
        for text in [*numbers, *messages.texts]:
            if wanted <= found.keys():
                break  # every sibling is selectable already: the usual, sound menu
            if menu is not flow.root and is_one_of(text, messages.navigation):
                continue
            node = match_text(siblings, text, numbered=numbered)
            if node is not None:
                found[id(node)] = node
    return list(found.values())


class _Reach:
    """What the dialogue can come to: nodes selected or entered, the menus a customer can
    stand in, and at which openness each menu's answer (with its buttons) can go out."""

    def __init__(self, flow: FlowSet) -> None:
        self.flow = flow
        self.always = set(_openness(flow))
        self.seen = {flow.root.id}
        self.menus = {flow.root.id}
        self.shown: dict[str, set[bool]] = {flow.root.id: set(self.always)}
        self.parents = {c.id: n.id for n, _ in _walk(flow.root) for c in n.children}
        self.changed = True

    def add(self, target: set[str], node_id: str) -> None:
        if node_id not in target:
            target.add(node_id)
            self.changed = True

    def show(self, node_id: str, at: set[bool]) -> None:
        now = self.shown.setdefault(node_id, set())
        if not at <= now:
            now |= at
            self.changed = True


def reachable(flow: FlowSet) -> set[str]:
    """Node ids a customer can get to from the root by some sequence of messages (selected,
    or entered as the menu an answered question goes on to), as the engine decides."""
    nodes = {n.id: n for n, _ in _walk(flow.root)}
    messages = _Messages(flow)
    reach = _Reach(flow)
    while reach.changed:
        reach.changed = False
        for menu_id in sorted(reach.menus):
            menu = nodes[menu_id]
            if flow.unmatched == "repeat":  # a message nothing matches shows the menu again
                reach.show(menu_id, reach.always)
            for child in _selected_in(flow, menu, messages, reach.shown.get(menu_id, set())):
                _chosen(reach, nodes, menu, child)
    return reach.seen


def _chosen(reach: _Reach, nodes: dict[str, Node], menu: Node, child: Node) -> None:
    """``child`` of ``menu`` selected: what that makes reachable and shown."""
    flow = reach.flow
    reach.add(reach.seen, child.id)
    action = child.action
    if child.children and _is_menu(child, flow.root):
        reach.add(reach.menus, child.id)
        reach.show(child.id, {o for o in reach.always if applies(child, o)})
        reach.show(menu.id, reach.always)  # "back" from the sub-menu shows this one again
    if isinstance(action, AskAction | LookupStatusAction):
        reach.show(menu.id, reach.always)  # "back" from the question shows it again
    if (isinstance(action, AskAction) and action.then
            and not _pattern_problems(child, action.pattern)):
        target = nodes.get(action.then)
        if target is not None and target.children:  # the engine makes it the current menu
            reach.add(reach.seen, target.id)
            reach.add(reach.menus, target.id)
            above = reach.parents.get(target.id)
            if above is not None:  # "back" from there shows its parent
                reach.show(above, reach.always)


def problems(flow: FlowSet, known_groups: set[str] | None = None,
             known_statuses: set[str] | None = None) -> list[Problem]:
    """Every reason ``flow`` cannot be published (empty: it can).

    ``known_groups``/``known_statuses``: when given, hand-overs and status changes must name
    one of them.
    """
    out: list[Problem] = []
    if flow.hours is not None and (error := validation_error(flow.hours)):
        out.append(Problem(node_id="", code="bad_calendar", message=f"Business hours: {error}."))
    if not flow.root.answer.strip():
        out.append(_p(flow.root, "empty_greeting",
                      "The root answer is the greeting; it must not be empty."))
    if flow.root.action is not None:
        out.append(_p(flow.root, "root_action",
                      "The root's action would never run; put it on a child."))
    ids = [node.id for node, _ in _walk(flow.root)]
    for node_id in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(Problem(node_id=node_id, code="duplicate_id",
                           message=f"Node id {node_id!r} is used {ids.count(node_id)} times."))
    for node, _parent in _walk(flow.root):
        out.extend(_action_problems(node, set(ids), known_groups, known_statuses))
        out.extend(_offer_problems(flow, node))
        out.extend(_level_problems(flow, node))
    out.extend(_unreachable(flow))
    return out


def _p(node: Node, code: str, message: str) -> Problem:
    return Problem(node_id=node.id, code=code, message=message)


def _pattern_problems(node: Node, pattern: str) -> list[Problem]:
    if not pattern.strip():
        return [_p(node, "ask_without_pattern",
                   f"Node {node.id!r} asks a question but has no pattern for the answer.")]
    try:
        re.compile(pattern)
    except re.error as exc:
        return [_p(node, "bad_pattern", f"Pattern {pattern!r} of node {node.id!r} does not "
                                        f"compile: {exc}.")]
    return []


def _action_problems(node: Node, ids: set[str], known_groups: set[str] | None,
                     known_statuses: set[str] | None) -> list[Problem]:
    action = node.action
    out: list[Problem] = []
    if isinstance(action, AskAction | LookupStatusAction):
        out.extend(_pattern_problems(node, action.pattern))
        if action.max_tries < 1:
            out.append(_p(node, "bad_max_tries", f"Node {node.id!r} must allow at least one "
                                                 f"try (max_tries is {action.max_tries})."))
    if isinstance(action, AskAction):
        if not action.field.strip():
            out.append(_p(node, "ask_without_field",
                          f"Node {node.id!r} asks a question but names no field to keep it in."))
        if action.then is not None and action.then not in ids:
            out.append(_p(node, "unknown_then",
                          f"Node {node.id!r} goes on to {action.then!r}, which is no node."))
    if (isinstance(action, HandOverAction) and known_groups is not None
            and action.group_id is not None and action.group_id not in known_groups):
        out.append(_p(node, "unknown_group", f"Node {node.id!r} hands over to group "
                                             f"{action.group_id!r}, which does not exist."))
    if (isinstance(action, SetStatusAction) and known_statuses is not None
            and action.status not in known_statuses):
        out.append(_p(node, "unknown_status",
                      f"Node {node.id!r} sets status {action.status!r}, which does not exist."))
    if node.children and isinstance(action, _ENDS_DIALOGUE):
        out.append(_p(node, "dead_children",
                      f"Node {node.id!r} {_verb(node)}, so its {len(node.children)} "
                      f"sub-menu item(s) can never be chosen."))
    return out


def _verb(node: Node) -> str:
    action = node.action
    if isinstance(action, HandOverAction):
        return "hands the chat over"
    if isinstance(action, CloseAction):
        return "closes the chat"
    return "asks a question"


def _offer_problems(flow: FlowSet, node: Node) -> list[Problem]:
    """Meta's limits: 3 buttons of 20 characters, 10 list rows of 24; a body text."""
    if node.offer == "text" or not node.children:
        return []
    limit, title_limit, what = ((MAX_BUTTONS, MAX_BUTTON_TITLE, "buttons")
                                if node.offer == "buttons" else (MAX_ROWS, MAX_ROW_TITLE, "rows"))
    out: list[Problem] = []
    shown = max(len(visible_children(node, open_now)) for open_now in _openness(flow))
    if shown > limit:
        out.append(_p(node, f"too_many_{what}", f"Node {node.id!r} offers {shown} {what}; "
                                                f"WhatsApp shows at most {limit}."))
    for child in node.children:
        title = offered_title(child)
        if len(title) > title_limit:
            out.append(_p(child, f"{what.rstrip('s')}_title_too_long",
                          f"Title {title!r} has {len(title)} characters; {what} allow "
                          f"{title_limit}."))
    if not node.answer.strip():
        out.append(_p(node, "empty_answer", f"Node {node.id!r} offers {what} and needs an "
                                            f"answer text to show above them."))
    return out


def _complementary(a: Node, b: Node) -> bool:
    return {a.hours, b.hours} == {"open", "closed"}


def _triggers(node: Node) -> list[tuple[str, str]]:
    codes = [("code", normalise(c)) for c in node.triggers.codes]
    keywords = [("keyword", " ".join(normalise(k).split())) for k in node.triggers.keywords]
    payloads = [("payload", p) for p in [node.id, *node.triggers.payloads]]
    return codes + keywords + payloads


def _level_problems(flow: FlowSet, menu: Node) -> list[Problem]:
    """Siblings sharing a trigger, triggers another sibling or a navigation word takes first,
    and triggers that normalise to nothing."""
    out: list[Problem] = []
    duplicated: set[tuple[str, str, str]] = set()
    for index, node in enumerate(menu.children):
        for earlier in menu.children[:index]:
            if _complementary(node, earlier):
                continue
            shared = set(_triggers(node)) & set(_triggers(earlier))
            for kind, text in sorted(shared):
                duplicated.add((node.id, kind, text))
                out.append(_p(node, "duplicate_trigger", f"The {kind} {text!r} of {node.id!r} "
                                                         f"is also one of {earlier.id!r}."))
        out.extend(_shadowed(flow, menu, node, duplicated))
    return out + _numbers_taken(flow, menu)


def _numbers_taken(flow: FlowSet, menu: Node) -> list[Problem]:
    """Gateways without buttons show them as "1. …" lines; a sibling's code that is such a
    number selects that sibling instead of the line's, which misleads the customer."""
    if menu.offer == "text":
        return []
    out: list[Problem] = []
    for open_now in _openness(flow):
        siblings = visible_children(menu, open_now)
        for number, shown in enumerate(siblings, start=1):
            winner = match_text(siblings, str(number), numbered=True)
            problem = _p(shown, "number_taken",
                         f"Typing {number} selects {winner.id if winner else ''!r} (its code), "
                         f"not {shown.id!r}, which numbered menus show as {number}.")
            if winner is not shown and problem not in out:
                out.append(problem)
    return out


def _shadowed(flow: FlowSet, menu: Node, node: Node,
              duplicated: set[tuple[str, str, str]]) -> list[Problem]:
    out: list[Problem] = []
    navigation = [*flow.navigation.back, *flow.navigation.main]
    texts = [("code", t) for t in node.triggers.codes]
    texts += [("keyword", t) for t in node.triggers.keywords]
    for kind, text in texts:
        if not normalise(text):
            out.append(_p(node, "empty_trigger", f"The {kind} {text!r} of {node.id!r} is "
                                                 f"empty once spaces and punctuation go."))
            continue
        if is_one_of(text, navigation):  # at the root too: only a first message could use it
            out.append(_p(node, "navigation_word", f"The {kind} {text!r} of {node.id!r} is a "
                                                   f"navigation word, which is read first."))
            continue
        key = " ".join(normalise(text).split())
        if (node.id, kind, key) in duplicated:
            continue
        for open_now in _openness(flow):
            siblings = visible_children(menu, open_now)
            winner = (match_text(siblings, text, numbered=menu.offer != "text")
                      if node in siblings else node)
            if winner is not None and winner is not node:
                out.append(_p(node, "shadowed_trigger",
                              f"The {kind} {text!r} of {node.id!r} selects {winner.id!r} "
                              f"first; put {node.id!r} before it or change the {kind}."))
                break
    return out


def _unreachable(flow: FlowSet) -> list[Problem]:
    """Nodes nothing leads to, the topmost of each unreachable branch only (its sub-nodes
    follow from it), and none under a node already reported for its dead sub-menu."""
    seen = reachable(flow)
    out: list[Problem] = []
    for node, parent in _walk(flow.root):
        if node.id in seen or parent is None or parent.id not in seen:
            continue
        if not _is_menu(parent, flow.root):
            continue
        if node.hours == "closed" and flow.hours is None:
            why = "it applies only while closed, and the flow has no business hours"
        else:
            why = ("no code, keyword or payload selects it, and its menu offers no "
                   "buttons or list")
            if node.triggers.codes or node.triggers.keywords:
                why = "each of its codes and keywords selects another node first"
        out.append(_p(node, "unreachable", f"Node {node.id!r} can never be reached: {why}."))
    return out
