"""`make test`/`make run` check the broker first: an answering one is left alone, a missing
remote one is reported, never started."""

from __future__ import annotations

import socket

import pytest

from deploy import broker
from deploy.stack import free_port


def test_a_broker_that_answers_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(broker.subprocess, "run", lambda *a, **k: started.append(a))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert broker.ensure(f"amqp://guest:guest@127.0.0.1:{port}/") == ""
    assert started == []


def test_a_silent_broker_elsewhere_is_reported_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(broker.subprocess, "run", lambda *a, **k: started.append(a))
    port = free_port()
    problem = broker.ensure(f"amqp://guest:guest@127.0.0.1:{port}/")
    assert f"127.0.0.1:{port}" in problem and "RABBITMQ_URL" in problem
    assert started == []


def test_a_silent_local_node_is_started_and_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(broker, "answers", lambda host, port: False)
    monkeypatch.setattr(broker.shutil, "which", lambda name: "/usr/sbin/rabbitmq-server")
    monkeypatch.setattr(broker.subprocess, "run", lambda args, **k: calls.append(args))
    waited: list[int] = []
    monkeypatch.setattr(broker, "wait_port", lambda port, deadline_s: waited.append(port))
    assert broker.ensure(broker.DEFAULT_URL) == ""
    assert calls == [["/usr/sbin/rabbitmq-server", "-detached"]] and waited == [5672]
