"""Running the scenarios one after another on one system, each with chats of its own: start the
load, apply the fault, wait until the system is quiet, check every chat, report."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import aiohttp

from tests.chaos.check import (
    Findings,
    check_comments,
    check_sends,
    compare,
    deliveries,
    outgoing_complete,
)
from tests.chaos.first_form import FirstFormDriver, first_form_findings
from tests.chaos.load import Chat, Driver, digits, new_chats, run_chat
from tests.chaos.scenarios import Context, Scenario
from tests.chaos.system import System

QUIET_POLL_S = 2.0


def say(text: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def sent_so_far(ctx: Context) -> dict[str, list[str]]:
    url = f"http://127.0.0.1:{ctx.system.running.ports['sandbox']}/sandbox/requests"
    async with ctx.http.get(url, params={"delivered": "true"}) as answer:
        return deliveries(await answer.json())


async def chat_comments(driver: Driver, chats: list[Chat]) -> dict[str, list[dict[str, Any]]]:
    """Every chat's task comments (and which chats have more than one task)."""
    tasks = await driver.tasks()
    by_chat: dict[str, list[str]] = {}
    for task in tasks:
        by_chat.setdefault(digits(task["chat"]["chat_id"]), []).append(task["id"])
    found: dict[str, list[dict[str, Any]]] = {}
    for chat in chats:
        ids = by_chat.get(digits(chat.chat_id), [])
        found[chat.chat_id] = [c for task_id in ids for c in await driver.comments(task_id)]
        if len(ids) > 1:
            found[chat.chat_id].append({"second_task": True})
    return found


def settled(comments: dict[str, list[dict[str, Any]]]) -> bool:
    return all(c.get("delivery") not in ("queued", "waiting")
               for items in comments.values() for c in items if c.get("direction") == "out")


def recorded(chats: list[Chat], comments: dict[str, list[dict[str, Any]]]) -> bool:
    """Every customer message is in its task (First Form mode: a message may wait in a delay
    queue for a creation claim a killed task-sync left, after its sends all went out)."""
    return all(set(chat.customer) <= {c.get("text") for c in comments.get(chat.chat_id, [])
                                       if c.get("direction") == "in"} for chat in chats)


async def wait_quiet(ctx: Context, driver: Driver, chats: list[Chat], deadline_s: float
                     ) -> tuple[float | None, dict[str, list[str]],
                                dict[str, list[dict[str, Any]]]]:
    """Until every owed send reached the gateway and every comment says so (or the deadline):
    when that happened, what was sent, and the comments."""
    give_up = time.monotonic() + deadline_s
    comments: dict[str, list[dict[str, Any]]] = {}
    while True:
        try:
            sent = await sent_so_far(ctx)
            if outgoing_complete(chats, sent):
                comments = await chat_comments(driver, chats)
                if settled(comments) and recorded(chats, comments) \
                        and (await ctx.system.queue_depths())[0] == 0:
                    return time.monotonic(), sent, comments
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            say(f"not quiet yet: {exc!r}")
        if time.monotonic() > give_up:
            try:
                comments = await chat_comments(driver, chats)
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            return None, await sent_so_far(ctx), comments
        await asyncio.sleep(QUIET_POLL_S)


async def run_scenario(ctx: Context, driver: Driver, scenario: Scenario,
                       quiet_deadline_s: float) -> dict[str, Any]:
    say(f"scenario {scenario.name}: {scenario.chats} chats, +{scenario.unkeyed} chat-api")
    await ctx.sandbox("/sandbox/chaos", {"latency_s": scenario.latency_s})
    _, dead_before = await ctx.system.queue_depths()
    chats = new_chats(scenario.chats, scenario.unkeyed)
    spread = max(scenario.duration_s, 8.0) / max(len(chats), 1)

    async def start_late(chat: Chat, index: int) -> None:
        await asyncio.sleep(index * spread)
        await run_chat(driver, chat)

    load = [asyncio.create_task(start_late(c, i)) for i, c in enumerate(chats)]
    fault = await scenario.fault(ctx, scenario.duration_s)
    await ctx.sandbox("/sandbox/chaos", {})
    fault_over = time.monotonic()
    await asyncio.gather(*load)
    quiet_at, sent, comments = await wait_quiet(ctx, driver, chats, quiet_deadline_s)
    return await findings_of(ctx, scenario, chats, sent, comments, dead_before) | {
        "fault": fault,
        "recovery_s": round(quiet_at - fault_over, 1) if quiet_at else None}


async def findings_of(ctx: Context, scenario: Scenario, chats: list[Chat],
                      sent: dict[str, list[str]], comments: dict[str, list[dict[str, Any]]],
                      dead_before: dict[str, int]) -> dict[str, Any]:
    found = Findings()
    unkeyed: dict[str, Any] = {"sends": 0, "duplicates": 0}
    for chat in chats:
        found.details += [f"{chat.chat_id}: {p}" for p in chat.problems]
        if chat.provider == "chat_api":  # copies after a crash are measured, not counted
            got = sent.get(digits(chat.chat_id), [])
            unkeyed["sends"] += len(got)
            unkeyed["duplicates"] += sum(n - 1 for n in Counter(got).values() if n > 1)
            missing, _, reordered = compare(chat.owed, got)
            found.lost += missing
            found.reordered += int(reordered)
        else:
            check_sends(chat, sent, found)
        items = comments.get(chat.chat_id, [])
        found.second_tasks += sum(1 for c in items if c.get("second_task"))
        check_comments(chat, [c for c in items if "id" in c], sent, found)
    waiting, dead = await ctx.system.queue_depths()
    found.stuck += waiting + await ctx.system.open_sends()
    new_dead = {q: n - dead_before.get(q, 0) for q, n in dead.items()
                if n > dead_before.get(q, 0)}
    found.unexplained_dead_letters = sum(new_dead.values())
    if new_dead:
        found.details.append(f"dead letters: {new_dead}")
    counts: dict[str, Any] = {k: v for k, v in vars(found).items() if k != "details"}
    if ctx.system.task_system == "first_form":  # what First Form itself holds (issue 15)
        counts |= await first_form_findings(ctx, chats)
    unkeyed["attempts_cut_short_by_a_crash"] = await ctx.system.interrupted_sends()
    return {"name": scenario.name, "chats": len(chats), "customer_messages":
            sum(len(c.customer) for c in chats), "owed_sends": sum(len(c.owed) for c in chats),
            **counts, "unkeyed_chat_api": unkeyed, "details": found.details[:25]}


async def run_all(system: System, scenarios: list[Scenario], quiet_deadline_s: float,
                  mode: str) -> dict[str, Any]:
    timeout = aiohttp.ClientTimeout(total=40)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        ctx = Context(system=system, http=http)
        # First Form mode: the load's manager writes inside First Form (issue 15)
        driver = (FirstFormDriver if system.task_system == "first_form" else Driver)(
            http, system.running.ports)
        stop = asyncio.Event()
        follower = asyncio.create_task(driver.follow_hand_overs(stop))
        results = []
        try:
            for scenario in scenarios:
                results.append(await run_scenario(ctx, driver, scenario, quiet_deadline_s))
                say(json.dumps({k: v for k, v in results[-1].items() if k != "details"},
                               ensure_ascii=False))
        finally:
            stop.set()
            await follower
    keys = ("lost", "duplicated", "reordered", "stuck", "untrue_comments",
            "unexplained_dead_letters", "second_tasks", "customer_lost",
            "customer_duplicated", "customer_reordered", "first_form_second_tasks",
            "first_form_missing", "first_form_doubled")
    totals = {k: sum(int(r.get(k, 0)) for r in results) for k in keys}
    return {"mode": mode, "replicas": system.replicas, "scenarios": results, "totals": totals,
            "ok": not any(totals.values())
            and all(r["recovery_s"] is not None for r in results)}
