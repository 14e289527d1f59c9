"""Templates end to end: listed from the sandbox's Meta account and Wazzup WABA with their
parameters, cached, refreshed by Meta's template status webhook, and sends checked against
them before the gateway sees them."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import System, eventually, new_chat


async def templates(system: System, provider: str) -> dict[str, dict[str, Any]] | None:
    status, body = await system.api("GET", f"/api/v1/templates?provider={provider}")
    assert status == 200, body
    return {t["name"]: t for t in body["items"]} or None


async def test_templates_are_listed_with_parameters_and_follow_status_webhooks(
        system: System) -> None:
    listed = await eventually(lambda: templates(system, "meta"), what="Meta's templates")
    update = listed["order_update"]
    assert (update["language"], update["category"], update["status"]) == (
        "en_US", "utility", "approved")
    assert [p["name"] for p in update["parameters"] if p["component"] == "body"] == [
        "1", "2", "3"]
    assert listed["welcome_back"]["status"] == "pending"
    wazzup = await eventually(lambda: templates(system, "wazzup"), what="Wazzup's templates")
    assert wazzup["appointment"]["send_as"] == "tpl-1"

    answer = await system.sandbox("POST", "/sandbox/meta/template-status",
                                  json={"name": "welcome_back", "event": "APPROVED"})
    assert answer["ingest_status"] == 200, answer

    async def approved() -> bool:
        found = await templates(system, "meta")
        return bool(found and found["welcome_back"]["status"] == "approved")
    await eventually(approved, what="welcome_back approved in the cache")


async def test_a_template_send_that_does_not_fit_is_refused_before_the_gateway(
        system: System) -> None:
    await eventually(lambda: templates(system, "meta"), what="Meta's templates")
    phone = new_chat()
    start = {"channel_id": "100000000000001", "provider": "meta", "phone": phone,
             "template_id": "order_ready", "template_language": "ru"}
    status, body = await system.api("POST", "/api/v1/conversations",
                                    json=start | {"template_values": ["Олег"]})
    assert status == 422 and body["error"] == "template_values", body
    assert "takes 2 value(s)" in body["reason"]
    status, body = await system.api("POST", "/api/v1/conversations",
                                    json=start | {"template_id": "no_such_template"})
    assert status == 422 and body["error"] == "unknown_template", body
    records = await system.sandbox("GET", "/sandbox/requests",
                                   params={"provider": "meta", "chat_id": phone})
    assert records == []
    status, body = await system.api("POST", "/api/v1/conversations",
                                    json=start | {"template_values": ["Олег", "12"]})
    assert status == 201, body
