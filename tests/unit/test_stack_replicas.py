"""deploy/stack.py's replicas (WABRIDGE_REPLICAS): names, ports and bot-router's shard split."""

from __future__ import annotations

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
