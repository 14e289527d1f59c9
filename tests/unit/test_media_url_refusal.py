"""Customer media is fetched only over https, on port 443, from a gateway's host (the sandbox
excepted when configured)."""

from __future__ import annotations

import pytest

from services.outbound_sender.gateway import url_refusal

HOSTS = frozenset({"store.wazzup24.com"})
SANDBOX = "http://127.0.0.1:8090"


def test_https_from_a_gateway_host_is_fetched() -> None:
    assert url_refusal("https://store.wazzup24.com/a/b.jpg", HOSTS, "") is None
    assert url_refusal("https://store.wazzup24.com:443/a/b.jpg", HOSTS, "") is None


def test_the_configured_sandbox_is_fetched() -> None:
    assert url_refusal("http://127.0.0.1:8090/sandbox/media/1", HOSTS, SANDBOX) is None


@pytest.mark.parametrize("url", [
    "http://store.wazzup24.com/a.jpg",          # not https
    "https://evil.example/a.jpg",               # not a gateway host
    "https://store.wazzup24.com:8443/a.jpg",    # another port
    "https://store.wazzup24.com:99999/a.jpg",   # a malformed port
    "https://user:pw@store.wazzup24.com/a.jpg",  # credentials
    "http://127.0.0.1:8090/sandbox/media/1",    # the sandbox, when it is not configured
])
def test_anything_else_is_refused_with_a_reason(url: str) -> None:
    assert url_refusal(url, HOSTS, "")
