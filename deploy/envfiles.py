"""Fill in the deployment's secret files from their examples, with fresh random secrets.

    python -m deploy.envfiles            # deploy/.env (compose) and deploy/k8s/secrets/*.env
    python -m deploy.envfiles --print deploy/.env.example    # one file to stdout

Every ``<generate>`` becomes 32 random bytes in hex (URL-safe, so it fits inside
``amqp://user:<password>@host`` too). A variable that appears in several Kubernetes files gets
the same value in each (WABRIDGE_URL_SIGNING_KEY must be equal in task-sync and outbound-sender);
compose's file shares nothing with them. Lines that are commented out are filled as well, so
uncommenting a gateway gives it a ready token. Existing files are never overwritten. Gateway
credentials and the Kubernetes broker and database URLs stay for you to fill in.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
GENERATE = "<generate>"
_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def examples() -> list[Path]:
    """The example files this command fills: compose's, then one per Kubernetes workload."""
    return [DEPLOY / ".env.example", *sorted((DEPLOY / "k8s" / "secrets").glob("*.env.example"))]


def fill(text: str, values: dict[str, str],
         new_secret: Callable[[], str] = lambda: secrets.token_hex(32)) -> str:
    """``text`` with each ``<generate>`` replaced by the variable's value in ``values``
    (created there when missing)."""
    out = []
    for line in text.splitlines(keepends=True):
        match = _ASSIGNMENT.match(line.rstrip("\n"))
        if match and GENERATE in match.group(3):
            value = values.setdefault(match.group(2), new_secret())
            line = line.replace(GENERATE, value)
        out.append(line)
    return "".join(out)


def parse(text: str, *, uncomment: bool = False) -> dict[str, str]:
    """``NAME=value`` lines as a dict (also commented-out ones when ``uncomment``)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if match and (match.group(1) is None or uncomment):
            found[match.group(2)] = match.group(3)
    return found


def _group(example: Path) -> str:
    """Files that share generated values: compose's alone, the Kubernetes ones together."""
    return "compose" if example.parent == DEPLOY else "k8s"


def write_all(values: dict[str, dict[str, str]]) -> list[tuple[Path, bool]]:
    """Write every missing target file; returns (path, written) for each example.
    ``values``: per group, the generated values chosen so far."""
    done = []
    for example in examples():
        target = example.with_name(example.name.removesuffix(".example"))
        text = fill(example.read_text(encoding="utf-8"), values.setdefault(_group(example), {}))
        if target.exists():
            done.append((target, False))
            continue
        target.write_text(text, encoding="utf-8")
        target.chmod(0o600)
        done.append((target, True))
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.envfiles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--print", dest="example", type=Path,
                        help="fill this one example and print it instead of writing files")
    args = parser.parse_args(argv)
    if args.example is not None:
        sys.stdout.write(fill(args.example.read_text(encoding="utf-8"), {}))
        return
    # values already chosen in existing files are reused, so new files agree with them
    values: dict[str, dict[str, str]] = {}
    for example in examples():
        target = example.with_name(example.name.removesuffix(".example"))
        if target.exists():
            generated = parse(example.read_text(encoding="utf-8"), uncomment=True)
            existing = parse(target.read_text(encoding="utf-8"), uncomment=True)
            values.setdefault(_group(example), {}).update(
                {k: v for k, v in existing.items() if generated.get(k) == GENERATE})
    for path, written in write_all(values):
        print(f"{'wrote' if written else 'kept '} {path.relative_to(DEPLOY.parent)}")
    print("Now fill in what is left: WABRIDGE_PUBLIC_URL, your gateway's credentials and, for "
          "Kubernetes, RABBITMQ_URL and MONGODB_URL.")


if __name__ == "__main__":
    main()
