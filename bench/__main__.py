"""``python -m bench [--quick|--smoke] [--only console] [--console-scale] [--out PATH]``: run the
benchmark, print the JSON document and write it to ``.var/bench/<timestamp>.json`` (or PATH)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import uvloop

from bench.plan import PLANS
from bench.report import summary, write
from bench.run import run
from deploy.stack import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", dest="mode", const="quick",
                      help="shorter phases, under 2 minutes")
    mode.add_argument("--smoke", action="store_const", dest="mode", const="smoke",
                      help="a few seconds per phase: every field, no meaningful figures")
    parser.add_argument("--only", choices=("console",),
                        help="run one phase alone (the stack is started all the same)")
    parser.add_argument("--console-scale", action="store_true",
                        help="seed the console phase's store at the issue's size, 100,000 "
                             "tasks and 1,000,000 comments (adds several minutes of seeding)")
    parser.add_argument("--out", help="where to write the JSON (default .var/bench/<time>.json)")
    args = parser.parse_args()
    plan = PLANS[args.mode or "full"]
    if args.console_scale:
        plan = dataclasses.replace(plan, console_tasks=100_000, console_comments=1_000_000)
    doc = uvloop.run(run(plan, args.only))
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{plan.mode}" + (f"-{args.only}" if args.only else "")
    out = args.out or str(ROOT / ".var" / "bench" / f"{name}.json")
    write(doc, Path(out))
    print(json.dumps(doc, indent=2, ensure_ascii=False), flush=True)
    print(f"written to {out}", flush=True)
    print("\n".join(summary(doc)), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
