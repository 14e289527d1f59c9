"""The console phase (issue 9): the inbox, search, opening a chat and live updates against a
seeded store, and the size of the console's first load.

Each request is timed from the harness over loopback, one at a time (what one person waits
for), the kinds interleaved so that the machine's noise spreads over all of them. The live
updates: ``streams`` Server-Sent Event streams stay connected while comments are posted into a
task all of them may see; each stream's latency is from just before the POST to the moment its
``comment.added`` frame was read.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import random
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench import console_seed
from bench.plan import Plan
from bench.stats import summary_ms
from bench.system import System
from deploy.stack import ROOT
from shared.store.mongo import connect

# role → (user id, API token) of the demo seed's people (deploy/seed/demo.yaml)
CLIENTS = {"manager": ("usr-ivanova", "demo-manager-ivanova"),
           "supervisor": ("usr-supervisor", "demo-supervisor-token"),
           "admin": ("usr-admin", "demo-admin-token")}
LIST_VIEWS = (("manager", "mine"), ("manager", "queue"), ("supervisor", "mine"),
              ("supervisor", "queue"), ("supervisor", "all"), ("admin", "mine"),
              ("admin", "queue"), ("admin", "all"))
SEARCH_AS = (("admin", "all"), ("supervisor", "all"), ("manager", "mine"))
COMMON_WORDS = ("доставк", "заказ", "курьер")
MARK = re.compile(rb"bench-fanout-(\d+)")
REFERENCE = re.compile(rb'(?:src|href)="/([^"]+)"')
ARRIVAL_TIMEOUT_S = 5.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=120)
MIN_SAMPLES = 3
Say = Callable[[str], None]


async def run(system: System, plan: Plan, db_name: str, mongo_url: str, tasks: int,
              comments: int, say: Say) -> dict[str, Any]:
    """Seed, then measure; the store's figures carry the scale they were measured at."""
    say("console: the first load's size")
    first = await first_load(system)
    say("console: a chat for the live updates (opened through the sandbox)")
    live_task = await _live_task(system, plan)
    say(f"console: seeding {tasks:,} tasks and {comments:,} comments")
    client, db = connect(mongo_url, db_name)
    try:
        seeded = await console_seed.seed(db, tasks, comments, progress=say)
    finally:
        await client.close()
    say(f"  seeded in {seeded.seconds:.0f}s ({seeded.as_dict()['seed_docs_per_s']:,} docs/s)")
    api = _Api(system)
    n, budget = plan.console_samples, plan.console_kind_budget_s
    say(f"console: inbox lists ({len(LIST_VIEWS)} role/view pairs x {n})")
    lists = await _lists(api, n, budget)
    say("console: inbox counts")
    counts = await _counts(api, max(MIN_SAMPLES, n // 3), budget)
    say("console: search (phone, name, message text)")
    search = await _search(api, seeded, n, budget)
    say(f"console: opening the chat of {seeded.long_chat_comments} comments")
    chat = await _open_chat(api, seeded.long_chat_task_id, n, budget)
    say(f"console: live updates to {plan.console_streams} streams, "
        f"{plan.console_posts} comments")
    fanout = await _fanout(system, api, live_task, plan.console_streams, plan.console_posts)
    return {"store": seeded.as_dict() | {"full_scale": tasks >= 100_000
                                         and comments >= 1_000_000},
            "inbox_list": lists, "inbox_counts": counts, "search": search,
            "open_chat": chat, "live_fanout": fanout, "first_load": first,
            "request_errors": api.errors,
            "note": "one request at a time over loopback, as a person waits for it; "
                    "the figures hold for the store size in store"}


@dataclass
class _Api:
    system: System
    errors: dict[str, int] = field(default_factory=dict)

    async def get(self, role: str, path: str, params: dict[str, str]) -> tuple[float, Any]:
        """(seconds, decoded JSON) of one GET; a failure counts as an error and returns None."""
        url = self.system.url("task_sync", f"{path}?{urlencode(params)}" if params else path)
        headers = {"Authorization": f"Bearer {CLIENTS[role][1]}"}
        started = time.perf_counter()
        try:
            async with self.system.http.get(url, headers=headers, timeout=REQUEST_TIMEOUT) as resp:
                body = await resp.read()
            status = str(resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            body, status = b"", type(exc).__name__
        elapsed = time.perf_counter() - started
        if status != "200":
            key = f"{path} {status}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return elapsed, None
        return elapsed, json.loads(body)


def _figures(samples: list[float], **extra: Any) -> dict[str, Any]:
    return summary_ms(samples) | extra


async def _interleaved(kinds: dict[str, Callable[[int], Awaitable[tuple[float, Any]]]],
                       n: int, budget_s: float) -> dict[str, list[tuple[float, Any]]]:
    """Each kind ``n`` times, round robin, after one unmeasured round to warm caches; a kind
    stops early once its requests took ``budget_s`` together (at least 3 samples), so a
    store too large for the database bounds the phase instead of stretching it."""
    for call in kinds.values():
        await call(-1)
    out: dict[str, list[tuple[float, Any]]] = {k: [] for k in kinds}
    for i in range(n):
        for kind, call in kinds.items():
            got = out[kind]
            if len(got) >= MIN_SAMPLES and sum(s for s, _ in got) >= budget_s:
                continue
            got.append(await call(i))
    return out


async def _lists(api: _Api, n: int, budget_s: float) -> dict[str, Any]:
    def call(role: str, view: str) -> Callable[[int], Awaitable[tuple[float, Any]]]:
        return lambda i: api.get(role, "/api/v1/inbox", {"view": view, "limit": "50"})

    got = await _interleaved({f"{r}.{v}": call(r, v) for r, v in LIST_VIEWS}, n, budget_s)
    by_view = {k: _figures([s for s, _ in v],
                           items=len(v[-1][1]["items"]) if v and v[-1][1] else None)
               for k, v in got.items()}
    pooled = [s for v in got.values() for s, _ in v]
    return _figures(pooled) | {"by_view": by_view, "worst_view_p95": _worst(by_view),
                               "errors": sum(1 for v in got.values() for _, b in v if b is None)}


async def _counts(api: _Api, n: int, budget_s: float) -> dict[str, Any]:
    """The badges' counts, the three roles in turn as one kind (on the stand-in a count runs
    through every matching task, so one budget bounds them all)."""
    roles = itertools.cycle(CLIENTS)
    asked: list[str] = []

    async def call(i: int) -> tuple[float, Any]:
        role = next(roles)
        if i >= 0:
            asked.append(role)
        return await api.get(role, "/api/v1/inbox/counts", {})

    got = (await _interleaved({"counts": call}, n, budget_s))["counts"]
    by_role = {role: _figures([s for (s, _), r in zip(got, asked, strict=True) if r == role],
                              counts=next((b for (_, b), r in zip(got, asked, strict=True)
                                           if r == role), None))
               for role in CLIENTS}
    return _figures([s for s, _ in got]) | {"by_role": by_role}


async def _search(api: _Api, seeded: console_seed.Seeded, n: int,
                  budget_s: float) -> dict[str, Any]:
    rng = random.Random(3)
    who = itertools.cycle(SEARCH_AS)

    def term_call(make: Callable[[], dict[str, str]]
                  ) -> Callable[[int], Awaitable[tuple[float, Any]]]:
        async def call(i: int) -> tuple[float, Any]:
            role, view = next(who)
            return await api.get(role, "/api/v1/inbox", {"view": view, "limit": "50"} | make())
        return call

    def phone() -> dict[str, str]:  # 5 to 8 leading digits of a customer's phone
        return {"q": rng.choice(seeded.phones)[: rng.randint(5, 8)]}

    def name() -> dict[str, str]:  # 3 to 6 leading letters of a contact's name
        return {"q": rng.choice(seeded.names)[: rng.randint(3, 6)]}

    def text_word() -> dict[str, str]:  # a word many messages have
        return {"q": rng.choice(COMMON_WORDS), "text": "1"}

    def text_number() -> dict[str, str]:  # an order number one chat names
        numbers = seeded.order_numbers or [console_seed.ORDER_NUMBER_BASE]
        return {"q": str(rng.choice(numbers)), "text": "1"}

    got = await _interleaved({"phone_prefix": term_call(phone), "name_prefix": term_call(name),
                              "text_word": term_call(text_word),
                              "text_number": term_call(text_number)}, n, budget_s)
    by_kind = {k: _figures([s for s, _ in v],
                           mean_items=round(sum(len(b["items"]) for _, b in v if b)
                                            / max(1, len(v)), 1))
               for k, v in got.items()}
    return _figures([s for v in got.values() for s, _ in v]) | {
        "by_kind": by_kind, "worst_kind_p95": _worst(by_kind),
        "as": [f"{r}/{v}" for r, v in SEARCH_AS]}


async def _open_chat(api: _Api, task_id: str, n: int, budget_s: float) -> dict[str, Any]:
    roles = itertools.cycle(("admin", "manager"))
    got = await _interleaved({"page": lambda i: api.get(
        next(roles), f"/api/v1/tasks/{task_id}/comments", {"limit": "50"})}, n, budget_s)
    samples = got["page"]
    last = samples[-1][1] if samples else None
    return _figures([s for s, _ in samples], comments_returned=len(last["items"]) if last else 0,
                    has_more=bool(last and last["has_more"]), roles=["admin", "manager"])


def _worst(rows: dict[str, dict[str, Any]]) -> float | None:
    values = [r["p95"] for r in rows.values() if r["p95"] is not None]
    return max(values) if values else None


async def _live_task(system: System, plan: Plan) -> str:
    """A chat opened as a customer would (greeted by the bot), then given to the demo
    manager in her group, so the admin, the supervisor and the manager all see it."""
    from bench import phases
    chats = await phases.open_chats(system, plan, 1)
    if not chats:
        raise RuntimeError("the bot did not greet the console phase's chat")
    status, body = await system.api("GET", "/api/v1/tasks?limit=50")
    task_id = next((t["id"] for t in body.get("items", [])
                    if t["chat"]["chat_id"] == chats[0]), None) if status == 200 else None
    if task_id is None:
        raise RuntimeError("the console phase's chat has no task")
    for assign in ({"group_id": console_seed.CONTACT_CENTRE},
                   {"user_id": CLIENTS["manager"][0]}):
        status, body = await system.api("POST", f"/api/v1/tasks/{task_id}/assign", json=assign)
        if status != 200:
            raise RuntimeError(f"assigning the live chat failed: {status} {body}")
    return str(task_id)


async def _fanout(system: System, api: _Api, task_id: str, streams: int,
                  posts: int) -> dict[str, Any]:
    """``streams`` event streams (admin, supervisor and manager in turn) and ``posts`` comments
    posted one after another, each once every stream has the previous one (or 5 s passed)."""
    roles = [("admin", "supervisor", "manager")[i % 3] for i in range(streams)]
    arrived: dict[int, list[float]] = {}
    complete: dict[int, asyncio.Event] = {}
    connected = 0
    all_connected = asyncio.Event()
    stream_errors: list[str] = []

    async def reader(http: aiohttp.ClientSession, role: str) -> None:
        nonlocal connected
        headers = {"Authorization": f"Bearer {CLIENTS[role][1]}", "Accept": "text/event-stream"}
        seen: set[int] = set()
        try:
            async with http.get(system.url("task_sync", "/api/v1/events"),
                                headers=headers) as resp:
                if resp.status != 200:
                    stream_errors.append(f"{role}: {resp.status}")
                    return
                await resp.content.readuntil(b"\n\n")  # "retry:": the hub has us
                connected += 1
                if connected == streams:
                    all_connected.set()
                while True:
                    frame = await resp.content.readuntil(b"\n\n")
                    if not frame:
                        return
                    if b"event: comment.added" not in frame:
                        continue
                    now = time.perf_counter()
                    if (m := MARK.search(frame)) is None or int(m[1]) in seen:
                        continue
                    n = int(m[1])
                    seen.add(n)
                    got = arrived.setdefault(n, [])
                    got.append(now)
                    if len(got) == streams and n in complete:
                        complete[n].set()
        except (aiohttp.ClientError, TimeoutError) as exc:
            stream_errors.append(f"{role}: {exc!r}")

    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    sent_at: dict[int, float] = {}
    post_s: list[float] = []
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=0)) as http:
        readers = [asyncio.create_task(reader(http, role)) for role in roles]
        try:
            try:
                await asyncio.wait_for(all_connected.wait(), 30)
            except TimeoutError:
                pass
            for n in range(posts + 1):  # post 0 warms the path up and is not counted
                complete[n] = asyncio.Event()
                started = time.perf_counter()
                status, _ = await system.api(
                    "POST", f"/api/v1/tasks/{task_id}/comments",
                    json={"text": f"Ответ bench-fanout-{n} всем консолям"})
                post_s.append(time.perf_counter() - started)
                if status != 201:
                    stream_errors.append(f"post {n}: {status}")
                    continue
                sent_at[n] = started
                if len(arrived.get(n, [])) < connected:
                    try:
                        await asyncio.wait_for(complete[n].wait(), ARRIVAL_TIMEOUT_S)
                    except TimeoutError:
                        pass
                await asyncio.sleep(0.1)
        finally:
            for r in readers:
                r.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
    counted = [n for n in sent_at if n > 0]
    latencies = [t - sent_at[n] for n in counted for t in arrived.get(n, [])]
    slowest = [max(arrived[n]) - sent_at[n] for n in counted if arrived.get(n)]
    return {"streams": streams, "connected": connected, "posts": len(counted),
            "deliveries": len(latencies), "expected_deliveries": streams * len(counted),
            "latency_ms": summary_ms(latencies), "last_stream_ms": summary_ms(slowest),
            "post_ms": summary_ms(post_s[1:]), "errors": stream_errors[:10],
            "streams_by_role": {r: roles.count(r) for r in sorted(set(roles))}}


async def first_load(system: System) -> dict[str, Any]:
    """gzip -9 bytes of index.html and every file it references, as task-sync serves them
    (the console's scripts/bundle-size.mjs counts the same); built with ``make console`` when
    task-sync has no build to serve."""
    async def fetch(path: str) -> tuple[int, bytes]:
        async with system.http.get(system.url("task_sync", path)) as resp:
            return resp.status, await resp.read()

    status, html = await fetch("/")
    if status == 503:
        built = await asyncio.to_thread(
            subprocess.run, ["make", "console"], cwd=ROOT, capture_output=True, text=True,
            timeout=600, check=False)
        if built.returncode != 0:
            return {"gzip_bytes": None, "gzip_kb": None,
                    "reason": f"no console build and `make console` failed: "
                              f"{(built.stderr or built.stdout)[-300:]}"}
        status, html = await fetch("/")
    if status != 200:
        return {"gzip_bytes": None, "gzip_kb": None, "reason": f"GET / answered {status}"}
    files = {"index.html": html}
    for ref in dict.fromkeys(m.decode() for m in REFERENCE.findall(html)):
        ref_status, body = await fetch(f"/{ref}")
        if ref_status != 200:
            return {"gzip_bytes": None, "gzip_kb": None,
                    "reason": f"/{ref} (referenced by index.html) answered {ref_status}"}
        files[ref] = body
    packed = {name: len(gzip.compress(body, compresslevel=9)) for name, body in files.items()}
    total = sum(packed.values())
    return {"gzip_bytes": total, "gzip_kb": round(total / 1024, 1),
            "raw_bytes": sum(len(b) for b in files.values()), "files": packed, "reason": None}
