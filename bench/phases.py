"""The measured phases against the running system: ingest throughput and end-to-end latency."""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench import metrics
from bench.httpload import closed_loop
from bench.load import WAZZUP_HEADERS, ChatPool, new_chats, offer, webhook_body
from bench.plan import Plan
from bench.stats import summary_ms
from bench.system import Delta, DepthSampler, System

Post = Callable[[str], Awaitable[bool]]
CODES = ("1", "2", "3")  # scenarios that answer and keep the chat with the bot


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def ingest(system: System, plan: Plan) -> dict[str, Any]:
    """Webhooks/s ingest accepts with 200 on 50 connections; consumers paused meanwhile so the
    figure is ingest plus the broker, as in the publish baseline."""
    chats = new_chats("0", 1000)
    template = webhook_body("CHATID00000000", "1", "00000000-0000-0000-0000-000000000000")

    def body_of(i: int) -> bytes:
        return (template.replace(b"CHATID00000000", random.choice(chats).encode())
                .replace(b"00000000-0000-0000-0000-000000000000",
                         b"%08d-0000-4000-8000-%012d" % (i % 10**8, random.getrandbits(39))))

    system.pause_consumers(True)
    try:
        before = await system.window(only=("ingest",))
        result = await closed_loop(system.stack.ports["ingest"], "/webhooks/wazzup/"
                                   "sandbox-webhook-token", body_of, concurrency=plan.concurrency,
                                   seconds=plan.ingest_s, warmup_s=plan.warmup_s)
        delta = await system.delta(before)
        await system.depths.purge()
    finally:
        system.pause_consumers(False)
    await system.settle(timeout_s=60)
    confirmed = metrics.total(delta.sample["ingest"], "wabridge_bus_publishes_total")
    return {**result.as_dict(), "webhooks_per_s": round(result.ok / result.seconds, 1),
            "concurrency": plan.concurrency, "broker_confirmed_events": int(confirmed),
            "consumers_paused": True,
            "ingest_cpu_utilisation": delta.utilisation().get("ingest")}


def code_poster(system: System) -> Post:
    url = system.url("ingest", "/webhooks/wazzup/sandbox-webhook-token")
    codes = itertools.cycle(CODES)

    async def post(chat: str) -> bool:
        async with system.http.post(url, data=webhook_body(chat, next(codes)),
                                    headers=WAZZUP_HEADERS) as resp:
            await resp.read()
            return resp.status == 200
    return post


def comment_poster(system: System, task_of: dict[str, str]) -> Post:
    texts = itertools.count()

    async def post(chat: str) -> bool:
        status, _ = await system.api("POST", f"/api/v1/tasks/{task_of[chat]}/comments",
                                     json={"text": f"Ответ менеджера №{next(texts)}"})
        return status == 201
    return post


async def open_chats(system: System, plan: Plan, n: int) -> list[str]:
    """New chats, each greeted by the bot, so that their next code takes the scenario path."""
    chats = new_chats("1", n)
    pool = ChatPool(list(chats))
    system.watcher.pool = pool
    greeting_post = _greeting_poster(system)
    await offer(plan.preopen_rate, n / plan.preopen_rate, pool, system.watcher, greeting_post)
    lost = set(await system.watcher.drain(plan.drain_s * 3))
    await system.settle(timeout_s=30)
    return [c for c in chats if c not in lost]


def _greeting_poster(system: System) -> Post:
    url = system.url("ingest", "/webhooks/wazzup/sandbox-webhook-token")

    async def post(chat: str) -> bool:
        async with system.http.post(url, data=webhook_body(chat, "Здравствуйте"),
                                    headers=WAZZUP_HEADERS) as resp:
            await resp.read()
            return resp.status == 200
    return post


async def run_load(system: System, plan: Plan, pool: ChatPool, post: Post, rate: float,
                   seconds: float) -> tuple[dict[str, Any], Delta]:
    """Offer ``rate`` messages/s for ``seconds``, wait for the answers, judge whether it held."""
    await system.clear_sandbox()
    watcher = system.watcher
    watcher.pool, watcher.answered = pool, []
    backlog = await system.depths.total()
    before = await system.window()
    async with DepthSampler(system) as depths:
        offered = await offer(rate, seconds, pool, watcher, post)
        lost = await watcher.drain(plan.drain_s)
        window = time.monotonic() - before.started
    delta = await system.delta(before)
    pool.free = type(pool.free)(c for c in pool.free if c not in set(lost))
    warm = min(plan.warmup_s, seconds / 10)
    t0 = offered.started_at
    steady = [lat for sent, lat in watcher.answered if sent - t0 >= warm]
    late = [lat for sent, lat in watcher.answered if sent - t0 >= seconds / 2]
    accepted = offered.sent - offered.post_errors
    answered = len(watcher.answered)
    out: dict[str, Any] = {
        "offered_per_s": rate, "seconds": seconds,
        "achieved_per_s": round(offered.achieved_per_s, 1), "sent": offered.sent,
        "accepted": accepted, "answered": answered, "unanswered": len(lost),
        "post_errors": offered.post_errors, "skipped_no_free_chat": offered.skipped_no_free_chat,
        "latency_ms": summary_ms(steady), "latency_ms_second_half": summary_ms(late),
        "queue_depth": depths.summary(seconds) | {"at_start": backlog},
        "db_wait_share": delta.db_wait_share(),
        "cpu_utilisation": delta.utilisation(), "window_s": round(window, 2),
    }
    out["sustained"], out["reasons"] = _verdict(out, rate)
    return out, delta


def _verdict(r: dict[str, Any], rate: float) -> tuple[bool, list[str]]:
    reasons = []
    if r["achieved_per_s"] < 0.95 * rate:
        reasons.append(f"offered only {r['achieved_per_s']}/s (no free chat or client too slow)")
    if r["accepted"] == 0 or r["answered"] < 0.99 * r["accepted"]:
        reasons.append(f"{r['answered']} of {r['accepted']} answered within the drain time")
    if r["queue_depth"]["last_third_mean"] > max(20.0, 0.25 * rate):
        reasons.append(f"queues grew (last-third mean depth {r['queue_depth']['last_third_mean']})")
    p95 = r["latency_ms_second_half"]["p95"]
    if p95 is None or p95 > 1000:
        reasons.append(f"answers fell behind (second-half p95 {p95} ms)")
    return not reasons, reasons


async def sustained_max(system: System, plan: Plan, pool: ChatPool, post: Post,
                        steps: tuple[float, ...], known: dict[float, dict[str, Any]],
                        deltas: dict[float, Delta]) -> dict[str, Any]:
    """Step the offered load up until a step does not hold; the last that held is the maximum."""
    results: list[dict[str, Any]] = []
    best: float | None = None
    rates = list(steps)
    while rates:
        rate = rates.pop(0)
        if rate in known:
            result = known[rate]
        else:
            say(f"  step {rate:g}/s for {plan.step_s:g}s")
            result, deltas[rate] = await run_load(system, plan, pool, post, rate, plan.step_s)
            await system.settle(timeout_s=120)
        results.append(result)
        say(f"  {rate:g}/s: sustained={result['sustained']} p99={result['latency_ms']['p99']}ms "
            f"{'; '.join(result['reasons'])}")
        if result["sustained"]:
            best = rate
        elif best is None and rate > 10 and len(results) < 4:
            rates = [rate / 2]  # not even the first step held: look lower
        else:
            break
    return {"max_per_s": best, "step_seconds": plan.step_s, "steps": results}
