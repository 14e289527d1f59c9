"""The whole system on one machine: the MongoDB stand-in (unless MONGODB_URL is set), the four
services as separate processes, and the sandbox gateway. Used by `make run` and the e2e tests.

    python -m deploy.stack                        # start everything, print where each listens
    WABRIDGE_REPLICAS=2 python -m deploy.stack    # two processes of every service

Replicas rehearse the scale-out on one machine. Process names: ``task_sync`` is the first
replica, ``task_sync.2`` the second, and so on (``kill``/``restart`` take them). ingest's replicas
share its port (SO_REUSEPORT; ``INGEST_PROCESSES`` overrides their number); task-sync's,
bot-router's and outbound-sender's get ports of their own. bot-router's replicas split the
inbound shards into disjoint sets (BOT_ROUTER_SHARDS; a killed replica's shards wait for its
restart) unless BOT_ROUTER_SHARDS is set, even to empty (then every replica takes every shard
and the broker keeps one active per shard, the others standing by). outbound-sender's replicas
stand by for each other on the send shards and share file downloads.
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("task_sync", "bot_router", "outbound_sender", "ingest")
PORT_VARS = {"ingest": "INGEST_PORT", "task_sync": "TASK_SYNC_PORT",
             "bot_router": "BOT_ROUTER_PORT", "outbound_sender": "OUTBOUND_SENDER_PORT",
             "sandbox": "SANDBOX_PORT"}
DEFAULT_PORTS = {"ingest": 8080, "task_sync": 8081, "bot_router": 8082,
                 "outbound_sender": 8083, "sandbox": 8090}


def replica_name(service: str, n: int) -> str:
    """``task_sync``, ``task_sync.2``, ...: the process name of a service's n-th replica."""
    return service if n == 1 else f"{service}.{n}"


def service_of(name: str) -> str:
    return name.split(".", 1)[0]


def shard_sets(total: int, replicas: int) -> list[str]:
    """BOT_ROUTER_SHARDS for each replica: contiguous disjoint sets covering every shard (with
    more replicas than shards, the extra ones stand by for a shard each)."""
    if replicas > total:
        return [str(n % total) for n in range(replicas)]
    bounds = [total * n // replicas for n in range(replicas + 1)]
    return [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(bounds)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, deadline_s: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {deadline_s}s")


def wait_logged(log: Path, text: str, deadline_s: float, proc: subprocess.Popen[bytes],
                since: int = 0) -> None:
    """Wait until the log, from byte ``since`` on, contains ``text``."""
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        with open(log, "rb") as f:
            f.seek(since)
            if text.encode() in f.read():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{log.name} did not say {text!r} within {deadline_s}s")


def wait_port(port: int, deadline_s: float) -> None:
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {deadline_s}s")


@dataclass
class Stack:
    """Processes of one running system. ``env`` overrides the defaults below."""

    var_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    memory_db: bool = False
    sandbox_only: bool = False
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    # where each process's log began at its latest start (logs are appended to)
    log_starts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.signing_key = secrets.token_hex(24)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "logs").mkdir(exist_ok=True)
        for name, var in PORT_VARS.items():
            self.ports[name] = int(self.env.get(var) or os.environ.get(var) or DEFAULT_PORTS[name])
        self.replicas = int(self.setting("WABRIDGE_REPLICAS") or 1)
        if self.replicas < 1:
            raise ValueError("WABRIDGE_REPLICAS must be 1 or more")
        # ingest's replicas share its port; the others' get one each
        for service in ("task_sync", "bot_router", "outbound_sender"):
            for n in range(2, self.replicas + 1):
                self.ports[replica_name(service, n)] = free_port()

    def setting(self, var: str) -> str | None:
        """A variable as the stack sees it: its own ``env`` first, then the environment."""
        return self.env[var] if var in self.env else os.environ.get(var)

    def replica_names(self, service: str) -> list[str]:
        """The process names of a service's replicas (ingest: INGEST_PROCESSES if set)."""
        count = self.replicas
        if service == "ingest":
            count = int(self.setting("INGEST_PROCESSES") or self.replicas)
        return [replica_name(service, n) for n in range(1, count + 1)]

    def replica_env(self, name: str) -> dict[str, str]:
        """What differs in one replica: its port, and bot-router's share of the shards."""
        service = service_of(name)
        if name == service and (service != "bot_router" or self.replicas == 1):
            return {}
        env = {PORT_VARS[service]: str(self.ports[name])} if name in self.ports else {}
        if service == "bot_router" and self.setting("BOT_ROUTER_SHARDS") is None:
            total = int(self.setting("WABRIDGE_BUS_SHARDS") or 8)
            names = self.replica_names(service)
            env["BOT_ROUTER_SHARDS"] = shard_sets(total, len(names))[names.index(name)]
        return env

    def base_env(self) -> dict[str, str]:
        sandbox = f"http://127.0.0.1:{self.ports['sandbox']}"
        env = {
            "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
            "WAZZUP_API_URL": sandbox, "WAZZUP_API_KEY": "sandbox-wazzup-key",
            "WAZZUP_WEBHOOK_TOKEN": "sandbox-webhook-token",
            "META_API_URL": f"{sandbox}/meta/v21.0", "META_ACCESS_TOKEN": "sandbox-meta-token",
            "META_APP_SECRET": "sandbox-meta-app-secret",
            "META_VERIFY_TOKEN": "sandbox-meta-verify-token",
            "META_PHONE_NUMBER_ID": "100000000000001",
            "META_WABA_ID": "100000000000099",
            "META_WEBHOOK_TOKEN": "sandbox-meta-webhook-token",
            "CHAT_API_URL": f"{sandbox}/chat-api/instance100001",
            "CHAT_API_TOKEN": "sandbox-chat-api-token", "CHAT_API_INSTANCE": "100001",
            "CHAT_API_WEBHOOK_TOKEN": "sandbox-chat-api-webhook-token",
            "INGEST_URL": f"http://127.0.0.1:{self.ports['ingest']}",
            "WABRIDGE_SEED_FILE": str(ROOT / "deploy" / "seed" / "demo.yaml"),
            "WABRIDGE_URL_SIGNING_KEY": self.signing_key,
            "WABRIDGE_PUBLIC_URL": f"http://127.0.0.1:{self.ports['task_sync']}",
            # ingest asks task-sync who has a phone (createContact); the demo seed's token
            "WABRIDGE_DIRECTORY_URL": f"http://127.0.0.1:{self.ports['task_sync']}",
            "WABRIDGE_DIRECTORY_TOKEN": "demo-admin-token",
            "WABRIDGE_SANDBOX_URL": sandbox, "SANDBOX_PUBLIC_URL": sandbox,
            "PYTHONUNBUFFERED": "1",
        }
        env |= {var: str(self.ports[name]) for name, var in PORT_VARS.items()}
        if self.setting("WABRIDGE_TASK_SYSTEM") == "first_form":  # the sandbox's First Form
            from services.sandbox.first_form_world import bridge_env

            env |= bridge_env(sandbox)
        # what the person set wins over the sandbox defaults, except in tests (sandbox_only),
        # which must never reach a real account configured in the developer's shell
        if self.sandbox_only:
            return {**os.environ, **env, **self.env}
        return {**env, **os.environ, **self.env}

    def start_mongo(self) -> None:
        if self.env.get("MONGODB_URL") or os.environ.get("MONGODB_URL"):
            return
        port = free_port()
        where = ["--db", "memory"] if self.memory_db else \
            ["--data-dir", str(self.var_dir / "mongo")]
        (self.var_dir / "mongo").mkdir(exist_ok=True)
        self._spawn("mongo", [sys.executable, "-m", "deploy.standin", *where, "-p", str(port),
                              "--log-file", str(self.var_dir / "logs" / "nx-27017.log"),
                              "--pid-file", str(self.var_dir / f"nx-27017-{port}.pid")],
                    dict(os.environ))
        wait_port(port, 30)
        self.env["MONGODB_URL"] = f"mongodb://127.0.0.1:{port}/?directConnection=true"

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = open(self.var_dir / "logs" / f"{name}.log", "ab")
        self.log_starts[name] = log.tell()
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def start_service(self, name: str) -> None:
        """Start a process: a service (``task_sync``), one of its replicas (``task_sync.2``)
        or the sandbox."""
        self._spawn(name, [sys.executable, "-m", f"services.{service_of(name)}"],
                    self.base_env() | self.replica_env(name))

    def shares_port(self, name: str) -> bool:
        """Whether the process listens on a port other processes listen on too (ingest's)."""
        return service_of(name) == "ingest" and len(self.replica_names("ingest")) > 1

    def wait_ready(self, name: str, deadline_s: float = 60) -> None:
        path = "/healthz" if name == "sandbox" else "/readyz"
        log = self.var_dir / "logs" / f"{name}.log"
        try:
            if self.shares_port(name):
                # the shared port may be answered by another replica: this process's own output
                # says when it serves (shared.ops.serve prints the line after the broker is
                # connected, whatever LOG_LEVEL is; the chaos suite runs at warning)
                wait_logged(log, " listening on http://", deadline_s, self.procs[name],
                            self.log_starts[name])
            port = self.ports[name if name in self.ports else service_of(name)]
            wait_http(f"http://127.0.0.1:{port}{path}", deadline_s, self.procs[name])
        except (RuntimeError, TimeoutError) as exc:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} did not become ready: {exc}\n--- log tail ---\n{tail}") \
                from exc

    def start(self) -> None:
        self.start_mongo()
        names = ["sandbox", *(n for service in SERVICES for n in self.replica_names(service))]
        for name in names:
            self.start_service(name)
        for name in names:
            self.wait_ready(name)

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait()

    def restart(self, name: str) -> None:
        self.start_service(name)
        self.wait_ready(name)

    def stop(self, timeout_s: float = 20) -> None:
        """SIGTERM everyone (services first, the database last), SIGKILL stragglers."""
        services = [n for s in reversed(SERVICES) for n in sorted(self.procs, reverse=True)
                    if service_of(n) == s]
        order = [n for n in (*services, "sandbox", "mongo") if n in self.procs]
        for name in order:
            if name == "mongo":
                for other in order[:-1]:
                    _wait(self.procs[other], timeout_s)
            self.procs[name].send_signal(signal.SIGTERM)
        for name in order:
            _wait(self.procs[name], timeout_s)
        self.procs.clear()


def _wait(proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    stack = Stack(var_dir=ROOT / ".var" / "run", env={})
    try:
        stack.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"start failed: {exc}", file=sys.stderr)
        stack.stop()
        sys.exit(1)
    p = stack.ports
    print(f"""
wabridge is running (logs in {stack.var_dir / 'logs'}):
  console          http://127.0.0.1:{p['task_sync']}/   sign in as admin, ivanova, petrov, smirnov
                   or supervisor, password demo-<login> (the demo's; replace them for real use)
  ingest           http://127.0.0.1:{p['ingest']}   (webhooks: /webhooks/wazzup/<token>)
  task-sync API    http://127.0.0.1:{p['task_sync']}   (/api/v1, OpenAPI at /api/v1/openapi.json)
  bot-router       http://127.0.0.1:{p['bot_router']}   (/healthz /readyz /metrics)
  outbound-sender  http://127.0.0.1:{p['outbound_sender']}   (/healthz /readyz /metrics)
  sandbox gateway  http://127.0.0.1:{p['sandbox']}   (/sandbox/inbound, /sandbox/requests)
  MongoDB          {stack.env.get('MONGODB_URL') or os.environ.get('MONGODB_URL')}
Press Ctrl-C to stop.""", flush=True)
    if stack.replicas > 1:
        print(f"  {stack.replicas} replicas of each service: " + ", ".join(
            f"{name} :{p[name] if name in p else p[service_of(name)]}"
            for service in SERVICES for name in stack.replica_names(service)), flush=True)
    stopping = False

    def on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping:
        for name, proc in list(stack.procs.items()):
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; see its log. Stopping.", flush=True)
                stopping = True
        time.sleep(0.5)
    print("stopping...", flush=True)
    stack.stop()
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()
