"""A RabbitMQ node of the suite's own, on free ports, so it can be restarted at will (the
machine's shared broker is never touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from deploy.stack import free_port, wait_port

BIN_DIR = Path("/usr/lib/rabbitmq/bin")  # Debian's scripts without the su wrapper


def _tool(name: str) -> str:
    """The node scripts as this user (the /usr/sbin wrappers switch to the rabbitmq user)."""
    direct = BIN_DIR / name
    if direct.exists():
        return str(direct)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install rabbitmq-server")
    return found


class PrivateBroker:
    """``rabbitmq-server`` started with its environment variables pointing at ``base``."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"chaos{uuid.uuid4().hex[:8]}@localhost"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        conf = self.base / "rabbitmq.conf"
        return {**os.environ,
                "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_CONFIG_FILE": str(conf),
                "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
                "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.base / "log"),
                "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                    "-kernel inet_dist_use_interface {127,0,0,1}"}

    def start(self, deadline_s: float = 90) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.base / "rabbitmq-env.conf").write_text("")  # not the machine's node settings
        (self.base / "enabled_plugins").write_text("[].\n")
        log = open(self.base / "server.log", "ab")
        self.proc = subprocess.Popen([_tool("rabbitmq-server")], env=self._env(), stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_port(self.port, deadline_s)

    def ctl(self, *args: str, timeout_s: float = 60) -> None:
        subprocess.run([_tool("rabbitmqctl"), "-n", self.node, *args], env=self._env(),
                       capture_output=True, timeout=timeout_s, check=True)

    def stop_app(self) -> None:
        """The broker goes away: every connection drops, nothing is accepted."""
        self.ctl("stop_app")

    def start_app(self, deadline_s: float = 60) -> None:
        self.ctl("start_app")
        wait_port(self.port, deadline_s)

    def restart(self, down_s: float) -> None:
        self.stop_app()
        time.sleep(down_s)
        self.start_app()

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            self.ctl("stop", timeout_s=30)
        except (subprocess.SubprocessError, OSError):
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
