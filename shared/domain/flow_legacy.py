"""The flat scenarios of before issue 12 as a one-level flow, and back (pure).

Until an admin publishes a flow, a channel's bot runs its saved scenarios through the flow
engine: the greeting (then an environment setting) is the root answer, each scenario a child
with its codes, keywords, answer and action. No navigation words, since "0" or "меню" used to
be free text for a person. The legacy ``/api/v1/scenarios`` view shows the root children that
still fit the flat shape.
"""

from __future__ import annotations

from shared.domain.flows import (
    CloseAction,
    FlowSet,
    HandOverAction,
    Navigation,
    Node,
    Triggers,
)
from shared.domain.scenarios import Scenario, ScenarioAction

ROOT_ID = "root"


def flow_from_scenarios(scenarios: list[Scenario], greeting: str,
                        handover_text: str) -> FlowSet:
    """A one-level flow that answers as the flat scenarios did: the greeting (with the answer
    of a scenario the first message asks for), answers to codes and keywords, a hand-over on
    free text, and each scenario's ``hand_over``/``close`` action."""
    taken = {s.id for s in scenarios}
    root_id = ROOT_ID
    while root_id in taken:
        root_id += "_"
    children = [
        Node(id=s.id, title=s.title, triggers=Triggers(codes=list(s.codes),
                                                       keywords=list(s.keywords)),
             answer=s.answer, action=_action(s.action))
        for s in scenarios]
    return FlowSet(root=Node(id=root_id, answer=greeting, children=children),
                   navigation=Navigation(back=[], main=[]), unmatched="hand_over",
                   handover_text=handover_text)


def _action(action: ScenarioAction | None) -> HandOverAction | CloseAction | None:
    if action == "hand_over":
        return HandOverAction()
    if action == "close":
        return CloseAction()
    return None


def scenarios_of(flow: FlowSet) -> list[Scenario]:
    """The root's children a flat scenario can describe (a leaf with a code or keyword, an
    answer, at most a hand-over to the seed's people or a close, whatever the hours)."""
    out: list[Scenario] = []
    for node in flow.root.children:
        flat, action = _flat_action(node)
        fits = (flat and not node.children and node.hours == "any" and node.attachment is None
                and not node.triggers.payloads and node.offer == "text"
                and (node.triggers.codes or node.triggers.keywords) and node.answer.strip())
        if fits:
            out.append(Scenario(id=node.id, answer=node.answer, title=node.title,
                                codes=list(node.triggers.codes),
                                keywords=list(node.triggers.keywords), action=action))
    return out


def _flat_action(node: Node) -> tuple[bool, ScenarioAction | None]:
    """Whether a scenario can say what ``node`` does, and how."""
    if node.action is None:
        return True, None
    if isinstance(node.action, HandOverAction) and node.action.group_id is None:
        return True, "hand_over"
    if isinstance(node.action, CloseAction):
        return True, "close"
    return False, None
