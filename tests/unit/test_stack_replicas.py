"""deploy/stack.py's replicas (WABRIDGE_REPLICAS): names, ports, bot-router's shard split, and
when a replica sharing ingest's port is ready."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy.stack import Stack, shard_sets
from shared.bus import parse_shards


def test_replicas_of_bot_router_split_the_shards_without_overlap() -> None:
    for total, replicas in ((8, 2), (8, 3), (4, 4), (256, 7)):
        sets = [parse_shards(s, total) for s in shard_sets(total, replicas)]
        assert sorted(n for s in sets for n in s) == list(range(total))
    assert shard_sets(2, 3) == ["0", "1", "0"]  # more replicas than shards: standbys


def test_each_replica_gets_its_own_port_except_ingest_which_shares_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BOT_ROUTER_SHARDS", raising=False)
    monkeypatch.delenv("INGEST_PROCESSES", raising=False)
    stack = Stack(var_dir=tmp_path, env={"WABRIDGE_REPLICAS": "2", "WABRIDGE_BUS_SHARDS": "4"})
    assert stack.replica_names("ingest") == ["ingest", "ingest.2"]
    assert stack.replica_env("ingest.2") == {}
    second = stack.replica_env("task_sync.2")
    assert second == {"TASK_SYNC_PORT": str(stack.ports["task_sync.2"])}
    assert second["TASK_SYNC_PORT"] != str(stack.ports["task_sync"])
    assert stack.replica_env("bot_router")["BOT_ROUTER_SHARDS"] == "0-1"
    assert stack.replica_env("bot_router.2")["BOT_ROUTER_SHARDS"] == "2-3"
    assert stack.replica_env("outbound_sender") == {}


def test_an_explicit_shard_selection_makes_bot_router_replicas_standbys(tmp_path: Path) -> None:
    stack = Stack(var_dir=tmp_path, env={"WABRIDGE_REPLICAS": "2", "BOT_ROUTER_SHARDS": ""})
    assert "BOT_ROUTER_SHARDS" not in stack.replica_env("bot_router.2")


def test_one_replica_is_the_stack_as_before(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WABRIDGE_REPLICAS", raising=False)
    monkeypatch.delenv("INGEST_PROCESSES", raising=False)
    stack = Stack(var_dir=tmp_path, env={})
    assert stack.replica_names("task_sync") == ["task_sync"]
    assert stack.replica_env("bot_router") == {}
    assert set(stack.ports) == {"ingest", "task_sync", "bot_router", "outbound_sender", "sandbox"}


def _answering_readyz() -> tuple[ThreadingHTTPServer, int]:
    """A server answering 200 on any path: another ingest replica on the shared port."""
    class Ready(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


def _fake_service(stack: Stack, name: str, prints: str) -> None:
    script = f"import time; print({prints!r}, flush=True); time.sleep(30)"
    stack._spawn(name, [sys.executable, "-c", script], {})


def test_an_ingest_replica_is_ready_when_it_prints_that_it_listens_whatever_the_log_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INGEST_PROCESSES", raising=False)
    server, port = _answering_readyz()
    stack = Stack(var_dir=tmp_path, env={"WABRIDGE_REPLICAS": "2", "INGEST_PORT": str(port),
                                         "LOG_LEVEL": "warning"})
    try:
        assert stack.shares_port("ingest.2") and not stack.shares_port("task_sync.2")
        # what shared.ops.serve prints at any LOG_LEVEL; no info-level "service started" line
        _fake_service(stack, "ingest.2", f"ingest listening on http://127.0.0.1:{port}")
        stack.wait_ready("ingest.2", deadline_s=10)
        # the shared port answers (the other replica), but this process never came up
        _fake_service(stack, "ingest", '{"level": "warning", "event": "still connecting"}')
        with pytest.raises(RuntimeError, match="ingest did not become ready"):
            stack.wait_ready("ingest", deadline_s=1)
    finally:
        for proc in stack.procs.values():
            proc.kill()
            proc.wait()
        server.shutdown()
