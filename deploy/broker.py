"""`make run` and `make test` need the machine's RabbitMQ: when RABBITMQ_URL is the local
default and nothing answers there, start the installed node (``rabbitmq-server -detached``) and
wait for it. A broker somewhere else is never started, only reported."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlparse

from deploy.stack import wait_port

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 3).close()
    except OSError:
        return False
    return True


def ensure(url: str, deadline_s: float = 120) -> str:
    """Empty when the broker answers (started here if it is the local one), else why not."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    if answers(host, port):
        return ""
    if host not in ("127.0.0.1", "localhost") or port != 5672:
        return f"RabbitMQ at {host}:{port} (RABBITMQ_URL) does not answer; start it there"
    server = shutil.which("rabbitmq-server")
    if server is None:
        return ("no RabbitMQ answers on 127.0.0.1:5672 and rabbitmq-server is not installed: "
                "apt-get install -y rabbitmq-server, or set RABBITMQ_URL")
    print("RabbitMQ does not answer on 127.0.0.1:5672: starting the local node "
          "(rabbitmq-server -detached)", flush=True)
    subprocess.run([server, "-detached"], check=False, stdout=subprocess.DEVNULL)
    try:
        wait_port(port, deadline_s)
    except TimeoutError:
        return (f"started rabbitmq-server, but nothing answers on 127.0.0.1:{port} after "
                f"{deadline_s:.0f} s: see /var/log/rabbitmq")
    return ""


def main() -> None:
    problem = ensure(os.environ.get("RABBITMQ_URL", DEFAULT_URL))
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
