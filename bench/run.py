"""One benchmark run: start the stack, measure the baselines and the phases, stop, report."""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
from pymongo.errors import PyMongoError

from bench import baselines, console, flow, metrics, phases, report
from bench.load import AnswerWatcher, ChatPool, webhook_body
from bench.phases import say
from bench.plan import Plan
from bench.system import System
from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from shared import events
from shared.bus import Topology
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount
from shared.store.mongo import connect
from tests.topology_cleanup import delete_topology

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672/"


def _masked(url: str) -> str:
    head, sep, tail = url.rpartition("@")
    return (head.split("//")[0] + "//***@" + tail) if sep else url


def _event_size() -> int:
    """Bytes of the ``message.received`` event ingest publishes for one webhook."""
    body = webhook_body("79990000001", "1")
    account = GatewayAccount(api_url="", api_key="", webhook_token="sandbox-webhook-token")
    for extra in ({"account": account}, {}):
        try:
            parsed = REGISTRY["wazzup"].parse_webhook(body, received_at=events.utcnow(), **extra)
        except TypeError:  # the parser's signature differs between versions
            continue
        return len(events.encode(parsed.events[0]))
    raise RuntimeError("cannot parse a Wazzup webhook to size the broker baseline's messages")


async def run(plan: Plan, only: str | None = None) -> dict[str, Any]:
    """The whole benchmark, or (``only="console"``) the console phase alone."""
    run_id = uuid.uuid4().hex[:8]
    broker_url = os.environ.get("RABBITMQ_URL", DEFAULT_BROKER)
    shards = int(os.environ.get("WABRIDGE_BUS_SHARDS", "8"))
    prefix = f"bench{run_id}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_BUS_PREFIX": prefix, "RABBITMQ_URL": broker_url,
            "WABRIDGE_DB": f"wabridge_bench_{run_id}",
            # the sandbox has no limit; Wazzup's 100/s per account would cap every figure
            "WAZZUP_RATE_PER_SECOND": "1000000"}
    var_dir = ROOT / ".var" / "bench" / f"run-{run_id}"
    stack = Stack(var_dir=var_dir, env=env, memory_db=False)
    topology = Topology(prefix, shards)
    started = time.monotonic()
    say(f"starting the stack (prefix {prefix}, logs in {var_dir / 'logs'})")
    try:
        stack.start()
        stack_start_s = time.monotonic() - started
        return await _measure(plan, stack, topology, broker_url, run_id, stack_start_s, only)
    finally:
        stack.stop()
        if os.environ.get("MONGODB_URL"):  # real MongoDB: the run's (seeded) database goes
            await _drop_database(os.environ["MONGODB_URL"], env["WABRIDGE_DB"])
        await delete_topology(broker_url, topology)
        shutil.rmtree(var_dir / "mongo", ignore_errors=True)


async def _drop_database(url: str, name: str) -> None:
    client, _ = connect(url, name)
    try:
        await client.drop_database(name)
    except PyMongoError as exc:
        say(f"could not drop the database {name}: {exc}")
    finally:
        await client.close()


async def _measure(plan: Plan, stack: Stack, topology: Topology, broker_url: str, run_id: str,
                   stack_start_s: float, only: str | None) -> dict[str, Any]:
    mongo_url = stack.env.get("MONGODB_URL") or os.environ["MONGODB_URL"]
    queue_names = [topology.queue_name(q.name) for q in topology.queues()]
    depths = metrics.QueueDepths(broker_url, queue_names)
    await depths.open()
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        watcher = AnswerWatcher(http, f"http://127.0.0.1:{stack.ports['sandbox']}")
        system = System(stack, topology, broker_url, http, depths, watcher)
        system.refresh_pids()
        poller = asyncio.create_task(watcher.run())
        try:
            if only == "console":
                return await _console_only(plan, system, mongo_url, run_id, stack_start_s)
            doc = await _phases(plan, system, mongo_url, run_id, stack_start_s)
            doc["console"] = await _console(plan, system, mongo_url, run_id)
            doc["measure_seconds"] = round(doc["measure_seconds"] + doc["console"].pop(
                "seconds"), 1)
            doc["targets"] = report.targets(doc)
            return doc
        finally:
            poller.cancel()
            await depths.close()


async def _phases(plan: Plan, system: System, mongo_url: str, run_id: str,
                  stack_start_s: float) -> dict[str, Any]:
    t0 = time.monotonic()
    body = webhook_body("79990000001", "1")
    say("baseline: bare aiohttp")
    base: dict[str, Any] = {"bare_aiohttp": await baselines.bare_aiohttp(
        lambda i: body, concurrency=plan.concurrency, seconds=plan.baseline_s,
        warmup_s=plan.warmup_s)}
    say("baseline: raw aio-pika publish with confirms, consume and ack")
    raw = await baselines.broker(system.rabbitmq_url, f"{system.topology.prefix}.rawbaseline",
                                 _event_size(), plan.baseline_s, plan.concurrency)
    base["broker_publish_confirmed"] = raw["publish_confirmed"]
    base["broker_consume_ack"] = raw["consume_ack"]
    say("baseline: raw store round trips")
    base["store"] = await baselines.store(mongo_url, f"bench_raw_{run_id}", plan.baseline_s)

    say(f"ingest: {plan.concurrency} connections for {plan.ingest_s:g}s (consumers paused)")
    ingest = await phases.ingest(system, plan)
    ingest |= report.ratios(ingest, base)

    say(f"opening {2 * plan.pool} chats (greeting each)")
    opened = await phases.open_chats(system, plan, 2 * plan.pool)
    bot_pool = ChatPool(opened[: len(opened) // 2])
    comment_chats = opened[len(opened) // 2:]
    task_of = await _tasks_of(system, set(comment_chats))
    comment_pool = ChatPool([c for c in comment_chats if c in task_of])

    bot_post = phases.code_poster(system)
    say(f"bot answers: fixed {plan.fixed_rate:g}/s for {plan.fixed_s:g}s")
    bot_fixed, bot_delta = await phases.run_load(system, plan, bot_pool, bot_post,
                                                 plan.fixed_rate, plan.fixed_s)
    await system.settle(timeout_s=60)
    bot_msgs = bot_fixed["accepted"]
    say("bot answers: sustained maximum")
    bot_known = {plan.fixed_rate: bot_fixed} if plan.fixed_s >= plan.step_s else {}
    bot_deltas = {plan.fixed_rate: bot_delta}
    bot_max = await phases.sustained_max(system, plan, bot_pool, bot_post, plan.steps, bot_known,
                                         bot_deltas)
    at_max_snaps = metrics.snapshots(system.pids)

    comment_post = phases.comment_poster(system, task_of)
    say(f"manager comments: fixed {plan.comment_fixed_rate:g}/s for {plan.fixed_s:g}s")
    c_fixed, c_delta = await phases.run_load(system, plan, comment_pool, comment_post,
                                             plan.comment_fixed_rate, plan.fixed_s)
    await system.settle(timeout_s=60)
    say("manager comments: sustained maximum")
    c_known = {plan.comment_fixed_rate: c_fixed} if plan.fixed_s >= plan.step_s else {}
    c_max = await phases.sustained_max(system, plan, comment_pool, comment_post,
                                       plan.comment_steps, c_known, {})
    bot_flow = await flow.phase(system, plan, bot_pool)
    final = metrics.snapshots(system.pids)
    best = bot_max["max_per_s"]
    max_delta = bot_deltas.get(best) if best is not None else None
    max_msgs = next((s["accepted"] for s in bot_max["steps"] if s["offered_per_s"] == best), 0)

    doc: dict[str, Any] = {
        "schema": "wabridge-bench/1",
        "mode": plan.mode,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(system, mongo_url),
        "plan": plan.as_dict(),
        "stack_start_s": round(stack_start_s, 2),
        "baselines": base,
        "ingest": ingest,
        "end_to_end": {
            "bot_answer": {"fixed": bot_fixed, "sustained": bot_max | _limit(bot_max)},
            "manager_comment": {"fixed": c_fixed, "sustained": c_max | _limit(c_max)},
        },
        "cost_per_message": report.cost_per_message(bot_delta, bot_msgs, bot_fixed["answered"]),
        "cost_per_manager_comment": report.cost_per_message(c_delta, c_fixed["accepted"],
                                                            c_fixed["answered"]),
        "bot_flow": bot_flow,
        "db_wait_share": {
            "basis": "wabridge_db_seconds_total / wabridge_handler_seconds_sum over the bus "
                     "handlers of bot_router, task_sync, outbound_sender (the API's database "
                     "time has no handler-time counterpart, so comment phases can exceed 1)",
            "bot_answer_fixed": bot_delta.db_wait_share(),
                          "by_service": {s: bot_delta.db_wait_share(s)
                                         for s in ("bot_router", "task_sync", "outbound_sender")}},
        "resources": {
            "processes": report.resources(final, at_max_snaps, bot_delta, bot_msgs,
                                          max_delta, max_msgs),
            "note": "peak_rss_mb is VmHWM over the whole run; CPU per 1,000 bot-answered "
                    "messages in the fixed-load phase (all processes, the harness included)",
        },
        "measure_seconds": round(time.monotonic() - t0, 1),
    }
    return doc


async def _console(plan: Plan, system: System, mongo_url: str, run_id: str) -> dict[str, Any]:
    """Last, so the seeded store does not weigh on the other phases' figures."""
    t0 = time.monotonic()
    out = await console.run(system, plan, f"wabridge_bench_{run_id}", mongo_url,
                            plan.console_tasks, plan.console_comments, say)
    return out | {"seconds": time.monotonic() - t0}


async def _console_only(plan: Plan, system: System, mongo_url: str, run_id: str,
                        stack_start_s: float) -> dict[str, Any]:
    out = await _console(plan, system, mongo_url, run_id)
    seconds = out.pop("seconds")
    doc: dict[str, Any] = {
        "schema": "wabridge-bench/1", "mode": plan.mode, "only": "console",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(system, mongo_url), "plan": plan.as_dict(),
        "stack_start_s": round(stack_start_s, 2), "console": out,
        "measure_seconds": round(seconds, 1)}
    doc["targets"] = report.targets(doc)
    return doc


def _limit(search: dict[str, Any]) -> dict[str, Any]:
    """What was busiest at the first step that did not hold (else the highest step)."""
    steps = search["steps"]
    if not steps:
        return {"limited_by": None}
    failed = [s for s in steps if not s["sustained"]]
    step = failed[0] if failed else steps[-1]
    util = step["cpu_utilisation"]
    busiest = max(util, key=lambda k: util[k]) if util else None
    return {"limited_by": {"at_offered_per_s": step["offered_per_s"], "busiest_process": busiest,
                           "cpu_utilisation": util, "db_wait_share": step["db_wait_share"]}}


async def _tasks_of(system: System, chats: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    offset = 0
    while True:
        status, body = await system.api("GET", f"/api/v1/tasks?limit=500&offset={offset}")
        if status != 200 or not body["items"]:
            return found
        for task in body["items"]:
            chat = task["chat"]["chat_id"]
            if chat in chats:
                found[chat] = task["id"]
        offset += len(body["items"])


def _machine(system: System, mongo_url: str) -> dict[str, Any]:
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    standin = "mongo" in system.stack.procs
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "database": "nx-27017 stand-in" if standin else "MONGODB_URL",
            "database_url": _masked(mongo_url), "broker_url": _masked(system.rabbitmq_url),
            "bus_shards": system.topology.shards, "bus_prefix": system.topology.prefix,
            "gateway_rate_limit_lifted": True}
