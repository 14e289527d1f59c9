"""The short chaos run in ``make test``: kills while the gateway takes 300 ms, a broker blip,
gateway storms; every chat checked. The full run is ``make chaos``."""

from __future__ import annotations

import json
import subprocess
import sys

from deploy.stack import ROOT


def test_nothing_is_lost_duplicated_reordered_or_stuck_whatever_fails() -> None:
    run = subprocess.run([sys.executable, "-m", "tests.chaos", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    sys.stderr.write(run.stderr[-4000:])
    report = json.loads(run.stdout)
    failing = {s["name"]: s["details"] for s in report["scenarios"]
               if any(s.get(k) for k in report["totals"]) or s["recovery_s"] is None}
    assert run.returncode == 0 and report["ok"], (report["totals"], failing)
