"""The bot-answered path with a published 200-node flow (issue 12): the flow goes in as the
default flow through the API, then each chat walks a fixed round that always gets exactly one
answer and keeps the chat with the bot: into a sub-menu, a plain answer in it, back ("0").
The cost per message is reported beside the flat scenarios' figures."""

from __future__ import annotations

from typing import Any

import msgspec

from bench import report
from bench.load import WAZZUP_HEADERS, ChatPool, webhook_body
from bench.phases import Post, run_load, say
from bench.plan import Plan
from bench.system import System
from shared.domain.flows import FlowSet, Node, SetStatusAction
from tests.unit.flow_samples import big_flow

FLOW_NODES = 200
BOT_STATUS = "Диалог с ботом"  # the stack's default bot status (WABRIDGE_STATUS_BOT)


def round_of(flow: FlowSet) -> list[str]:
    """The texts one chat sends in turn: into a sub-menu, a plain answer in it, back ("0")."""
    for menu in flow.root.children:
        leaf = next((n for n in menu.children if not n.children and n.action is None), None)
        if leaf is not None:
            return [menu.triggers.codes[0], leaf.triggers.codes[0], flow.navigation.back[0]]
    raise ValueError("the bench flow has no sub-menu with a plain answer")


def with_status(node: Node, status: str) -> Node:
    """``node``'s tree with every status change naming ``status`` (the sample's statuses are
    not this stack's, and a flow naming an unknown status cannot be published)."""
    action = SetStatusAction(status=status) if isinstance(node.action, SetStatusAction) \
        else node.action
    return msgspec.structs.replace(node, action=action,
                                   children=[with_status(c, status) for c in node.children])


async def publish(system: System, flow: FlowSet) -> None:
    status, body = await system.api("PUT", "/api/v1/flows/default/draft",
                                    json=msgspec.to_builtins(flow))
    if status != 200:
        raise RuntimeError(f"saving the bench flow failed: {status} {body}")
    status, body = await system.api("POST", "/api/v1/flows/default/publish")
    if status != 201:
        raise RuntimeError(f"publishing the bench flow failed: {status} {body}")


def poster(system: System, texts: list[str]) -> Post:
    """Each chat's next text of the round (chats keep their own place in it)."""
    url = system.url("ingest", "/webhooks/wazzup/sandbox-webhook-token")
    place: dict[str, int] = {}

    async def post(chat: str) -> bool:
        n = place.get(chat, 0)
        place[chat] = n + 1
        async with system.http.post(url, data=webhook_body(chat, texts[n % len(texts)]),
                                    headers=WAZZUP_HEADERS) as resp:
            await resp.read()
            return resp.status == 200
    return post


async def phase(system: System, plan: Plan, pool: ChatPool) -> dict[str, Any]:
    """Publish the flow, offer the fixed load through it, and its cost per message."""
    sample = big_flow(FLOW_NODES)
    flow = msgspec.structs.replace(sample, root=with_status(sample.root, BOT_STATUS))
    await publish(system, flow)
    texts = round_of(flow)
    say(f"bot answers with a {FLOW_NODES}-node flow: fixed {plan.fixed_rate:g}/s for "
        f"{plan.fixed_s:g}s (each chat: {' → '.join(texts)})")
    fixed, delta = await run_load(system, plan, pool, poster(system, texts), plan.fixed_rate,
                                  plan.fixed_s)
    await system.settle(timeout_s=60)
    return {"nodes": FLOW_NODES, "round": texts, "fixed": fixed,
            "cost_per_message": report.cost_per_message(delta, fixed["accepted"],
                                                        fixed["answered"])}
