"""``python -m tests.chaos [--quick] [--only NAME,...]``: run the chaos suite and print one
JSON report; exit 1 when anything was lost, duplicated, reordered, stuck, untrue or
unexplained (or a scenario never became quiet). ``WABRIDGE_REPLICAS=2`` runs two processes of
every service and adds the scenario that kills one replica of each in turn."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from deploy.stack import ROOT
from tests.chaos.first_form import FIRST_FORM, FIRST_FORM_QUICK
from tests.chaos.runner import run_all, say
from tests.chaos.scenarios import FULL, QUICK, REPLICAS, REPLICAS_QUICK, Scenario
from tests.chaos.system import System


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the short version (make test)")
    parser.add_argument("--only", default="", help="scenario names, comma-separated")
    parser.add_argument("--task-system", default="builtin", choices=("builtin", "first_form"),
                        help="first_form: task-sync works with the sandbox's First Form")
    args = parser.parse_args()
    replicas = int(os.environ.get("WABRIDGE_REPLICAS") or 1)
    scenarios = list(QUICK if args.quick else FULL)
    if args.task_system == "first_form":  # its own faults first, then the others (issue 15)
        scenarios = [*FIRST_FORM_QUICK] if args.quick else [*FIRST_FORM, *scenarios]
    if replicas > 1:
        scenarios.insert(0, REPLICAS_QUICK if args.quick else REPLICAS)
    if args.only:  # by name, the quick version with --quick
        wanted = set(args.only.split(","))
        pool = [*QUICK, REPLICAS_QUICK, *FIRST_FORM_QUICK] if args.quick else []
        pool += [*FIRST_FORM, *FULL, *QUICK, REPLICAS]
        chosen: dict[str, Scenario] = {}
        for scenario in pool:
            if scenario.name in wanted:
                chosen.setdefault(scenario.name, scenario)
        scenarios = list(chosen.values())
    mode = "quick" if args.quick else "full"
    var_dir = ROOT / ".var" / "chaos" / time.strftime("%Y%m%d-%H%M%S")
    system = System(var_dir, replicas=replicas, task_system=args.task_system)
    started = time.monotonic()
    try:
        say(f"starting a private RabbitMQ node and the stack ({replicas} per service); "
            f"logs in {var_dir}")
        system.start()
        # First Form's quick run may take longer to become quiet: a claim left by the killed
        # task-sync holds a chat's messages until it lapses (CLAIM_S), after their retries
        # grew in the outage
        quick_quiet_s = 180 if args.task_system == "first_form" else 120
        report = asyncio.run(run_all(system, scenarios, quick_quiet_s if args.quick else 300,
                                     mode))
    finally:
        system.stop()
    report["seconds"] = round(time.monotonic() - started)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
