"""The image's HEALTHCHECK: exit 0 when the service in this container answers ``/readyz``.

One image runs every service (``python -m services.<name>``), so the check finds out which one
PID 1 is and asks that service's port. ``WABRIDGE_HEALTH_URL`` overrides the guess.

    python -m deploy.healthcheck
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

# service module -> (port variable, default port, path that answers 200 when usable)
CHECKS = {
    "ingest": ("INGEST_PORT", 8080, "/readyz"),
    "task_sync": ("TASK_SYNC_PORT", 8081, "/readyz"),
    "bot_router": ("BOT_ROUTER_PORT", 8082, "/readyz"),
    "outbound_sender": ("OUTBOUND_SENDER_PORT", 8083, "/readyz"),
    "sandbox": ("SANDBOX_PORT", 8090, "/healthz"),
}


def service_of(argv: list[str]) -> str | None:
    """``services.ingest`` in a command line -> ``ingest``."""
    for arg in argv:
        name = arg.removeprefix("services.")
        if name != arg and name in CHECKS:
            return name
    return None


def health_url(argv: list[str], env: dict[str, str]) -> str:
    if env.get("WABRIDGE_HEALTH_URL"):
        return env["WABRIDGE_HEALTH_URL"]
    service = service_of(argv)
    if service is None:
        raise LookupError(f"no wabridge service in the command line {argv!r}")
    var, default, path = CHECKS[service]
    return f"http://127.0.0.1:{env.get(var) or default}{path}"


def main() -> int:
    try:
        argv = Path("/proc/1/cmdline").read_bytes().decode().split("\0")
        url = health_url(argv, dict(os.environ))
        with urllib.request.urlopen(url, timeout=4) as resp:
            return 0 if resp.status == 200 else 1
    except (OSError, LookupError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
