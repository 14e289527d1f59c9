"""Shared fixtures: a MongoDB (MONGODB_URL, else a testcontainers MongoDB when Docker answers,
else the nx-27017 stand-in) and the local RabbitMQ, each test isolated by its own names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from deploy.stack import ROOT, free_port, wait_port

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("MONGODB_URL"):
        yield os.environ["MONGODB_URL"]
        return
    if _docker_available():
        from testcontainers.mongodb import MongoDbContainer

        with MongoDbContainer("mongo:7") as container:
            yield container.get_connection_url()
        return
    port = free_port()
    var = tmp_path_factory.mktemp("nx")
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.standin", "--db", "memory", "-p", str(port),
         "--log-file", str(var / "nx.log"), "--pid-file", str(var / "nx.pid")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_port(port, 30)
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
async def db(mongo_url: str) -> AsyncIterator[Any]:
    """A fresh database per test, dropped afterwards."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
def bus_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(RABBITMQ_URL)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), 3).close()
    except OSError as exc:
        pytest.fail(f"RabbitMQ is not reachable at {RABBITMQ_URL} ({exc}); start it with "
                    "`rabbitmq-server -detached` or set RABBITMQ_URL")
    return RABBITMQ_URL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parts[-2] == "e2e":
            item.add_marker(pytest.mark.e2e)
