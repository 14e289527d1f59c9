"""`make run` and `make test` need the machine's RabbitMQ: when RABBITMQ_URL is the local
default and nothing answers there, start the installed node (``rabbitmq-server -detached``) and
wait for it. A broker somewhere else is never started, only reported."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from deploy.stack import wait_port

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"


AMQP_HEADER = b"AMQP\x00\x00\x09\x01"


def listens(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 3).close()
    except OSError:
        return False
    return True


def answers(host: str, port: int, timeout_s: float = 5.0) -> bool:
    """The broker speaks AMQP: its first frame follows our protocol header (a node still
    recovering its queues accepts connections long before it answers them)."""
    try:
        with socket.create_connection((host, port), timeout_s) as conn:
            conn.settimeout(timeout_s)
            conn.sendall(AMQP_HEADER)
            return conn.recv(1) == b"\x01"  # a method frame: connection.start
    except OSError:
        return False


def wait_answering(host: str, port: int, deadline_s: float) -> bool:
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if answers(host, port):
            return True
        time.sleep(1.0)
    return False


def ensure(url: str, deadline_s: float = 300) -> str:
    """Empty when the broker answers (started here if it is the local one), else why not."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    if answers(host, port):
        return ""
    if listens(host, port):  # up, still recovering its queues after a start, or hung
        print(f"RabbitMQ at {host}:{port} accepts connections but does not answer AMQP yet; "
              f"waiting up to {deadline_s:.0f} s", flush=True)
        if wait_answering(host, port, deadline_s):
            return ""
        return (f"RabbitMQ at {host}:{port} accepts connections but never answered AMQP in "
                f"{deadline_s:.0f} s: it is hung; restart it (rabbitmqctl stop; "
                "rabbitmq-server -detached)")
    if host not in ("127.0.0.1", "localhost") or port != 5672:
        return f"RabbitMQ at {host}:{port} (RABBITMQ_URL) does not answer; start it there"
    # Debian's wrapper (it runs the node as the rabbitmq user), also where PATH lacks /usr/sbin
    server = shutil.which("rabbitmq-server") or next(
        (p for p in ("/usr/sbin/rabbitmq-server",) if os.access(p, os.X_OK)), None)
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
    if not wait_answering(host, port, deadline_s):
        return (f"started rabbitmq-server; it listens on 127.0.0.1:{port} but did not answer "
                f"AMQP within {deadline_s:.0f} s: see /var/log/rabbitmq")
    return ""


def main() -> None:
    problem = ensure(os.environ.get("RABBITMQ_URL", DEFAULT_URL))
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
