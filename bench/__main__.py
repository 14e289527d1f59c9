"""``python -m bench [--quick|--smoke] [--out PATH]``: run the benchmark, print the JSON document
and write it to ``.var/bench/<timestamp>.json`` (or PATH)."""

from __future__ import annotations

import argparse
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
    parser.add_argument("--out", help="where to write the JSON (default .var/bench/<time>.json)")
    args = parser.parse_args()
    plan = PLANS[args.mode or "full"]
    doc = uvloop.run(run(plan))
    out = args.out or str(ROOT / ".var" / "bench" / f"{time.strftime('%Y%m%dT%H%M%S')}-"
                                                     f"{plan.mode}.json")
    write(doc, Path(out))
    print(json.dumps(doc, indent=2, ensure_ascii=False), flush=True)
    print(f"written to {out}", flush=True)
    print("\n".join(summary(doc)), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
