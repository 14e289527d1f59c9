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
    monkeypatch.setattr(broker, "answers", lambda host, port: True)
    assert broker.ensure("amqp://guest:guest@127.0.0.1:5672/") == ""
    assert started == []


def test_a_listener_that_never_speaks_amqp_is_not_taken_for_a_broker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:  # accepts, answers nothing: a hung or booting node
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not broker.answers("127.0.0.1", port, timeout_s=0.5)
        problem = broker.ensure(f"amqp://guest:guest@127.0.0.1:{port}/", deadline_s=1)
    assert "does not answer AMQP" in problem or "never answered AMQP" in problem


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
    monkeypatch.setattr(broker, "listens", lambda host, port: False)
    monkeypatch.setattr(broker.shutil, "which", lambda name: "/usr/sbin/rabbitmq-server")
    monkeypatch.setattr(broker.subprocess, "run", lambda args, **k: calls.append(args))
    waited: list[int] = []
    monkeypatch.setattr(broker, "wait_port", lambda port, deadline_s: waited.append(port))
    monkeypatch.setattr(broker, "wait_answering", lambda host, port, deadline_s: True)
    assert broker.ensure(broker.DEFAULT_URL) == ""
    assert calls == [["/usr/sbin/rabbitmq-server", "-detached"]] and waited == [5672]
