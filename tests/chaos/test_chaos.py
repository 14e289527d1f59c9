"""The short chaos runs in ``make test``: kills while the gateway takes 300 ms, a broker blip,
gateway storms; and, with two processes of every service, one replica of each killed in turn.
Every chat checked. The full run is ``make chaos``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from deploy.stack import ROOT, SERVICES


def run_chaos(*args: str, replicas: int = 1) -> dict[str, Any]:
    """``python -m tests.chaos --quick ARGS``: its report, asserted clean."""
    env = {**os.environ, "WABRIDGE_REPLICAS": str(replicas)}
    run = subprocess.run([sys.executable, "-m", "tests.chaos", "--quick", *args], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=900)
    sys.stderr.write(run.stderr[-4000:])
    report: dict[str, Any] = json.loads(run.stdout)
    failing = {s["name"]: s["details"] for s in report["scenarios"]
               if any(s.get(k) for k in report["totals"]) or s["recovery_s"] is None}
    assert run.returncode == 0 and report["ok"], (report["totals"], failing)
    return report


def test_nothing_is_lost_duplicated_reordered_or_stuck_whatever_fails() -> None:
    run_chaos()


def test_killing_one_replica_of_each_service_in_turn_loses_duplicates_reorders_nothing() -> None:
    report = run_chaos("--only", "replica_kills", replicas=2)
    assert report["replicas"] == 2
    (scenario,) = report["scenarios"]
    killed = scenario["fault"]["killed"]
    assert sorted(name.split(".")[0] for name in killed) == sorted(SERVICES)
    assert scenario["owed_sends"] > 0 and scenario["customer_messages"] > 0
