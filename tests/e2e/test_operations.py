"""Operations through the real interfaces: the wabridge CLI (dead letters, Wazzup admin), the
gateway's contact requests, and WhatsApp Business's 24-hour window."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from tests.e2e.conftest import CHANNEL, IVANOVA, System, eventually, new_chat


async def wabridge(system: System, *args: str) -> tuple[int, Any, str]:
    """Run the installed CLI against this stack; (exit code, JSON output, stderr)."""
    env = {**os.environ, **system.stack.base_env()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    parsed = json.loads(out) if out.strip() else None
    return proc.returncode or 0, parsed, err.decode()


async def test_a_dead_lettered_send_is_listed_and_replayed_from_the_command_line(
    system: System,
) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail", json={"count": 1, "status": 400,
                                                         "error": "CHANNEL_BLOCKED"})
    await system.inbound(chat, "привет")

    async def dead() -> Any:
        code, listing, _ = await wabridge(system, "dlq", "list", "outbound_sender.sends")
        dead_letters = sum(shard["count"] for shard in listing.values())  # every shard's
        return listing if code == 0 and dead_letters >= 1 else None
    listing = await eventually(dead, what="the dead letter listed")
    [entry] = [m for q in listing.values() for m in q["messages"]
               if m["x-error-code"] == "CHANNEL_BLOCKED"]
    assert entry["type"] == "outbound.send"
    code, result, err = await wabridge(system, "dlq", "replay", "outbound_sender.sends",
                                       "--id", entry["id"])
    assert code == 0 and result == {"replayed": 1}, err

    async def delivered() -> list[str] | None:
        texts = await system.texts_sent(chat)
        return texts or None
    await eventually(delivered, what="the replayed greeting delivered")
    task = await system.task_of(chat)
    assert task is not None

    async def sent() -> Any:
        bot = [c for c in await system.comments(task["id"]) if c["author_kind"] == "bot"]
        return bot if bot and bot[0].get("delivery") == "sent" else None
    await eventually(sent, what="the comment no longer failed")


async def test_dead_letters_are_inspected_and_purged_through_the_api(system: System) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail", json={"count": 1, "status": 400,
                                                         "error": "CHANNEL_BLOCKED"})
    await system.inbound(chat, "привет")

    async def dead() -> Any:
        status, body = await system.api("GET", "/api/v1/dead-letters")
        assert status == 200, body
        held = [q["queue"] for q in body["items"]
                if q["queue"].startswith("outbound_sender.sends.") and q["count"]]
        return held or None
    [queue] = await eventually(dead, what="the dead letter counted")
    status, held = await system.api("GET", f"/api/v1/dead-letters/{queue}")
    assert status == 200 and held["items"][0]["x-error-code"] == "CHANNEL_BLOCKED"
    assert (await system.api("DELETE", f"/api/v1/dead-letters/{queue}",
                             token=IVANOVA))[0] == 403
    status, purged = await system.api("DELETE", f"/api/v1/dead-letters/{queue}")
    assert status == 200 and purged["purged"] >= 1
    _, after = await system.api("GET", f"/api/v1/dead-letters/{queue}")
    assert after["count"] == 0
    _, log = await system.api("GET", "/api/v1/audit?action=dead_letters.purge")
    assert log["items"][0]["target_id"] == queue


async def test_wazzup_channels_and_webhooks_are_managed_from_the_command_line(
    system: System,
) -> None:
    code, channels, err = await wabridge(system, "wazzup", "channels")
    assert code == 0, err
    assert channels[0]["channelId"] == CHANNEL and channels[0]["state"] == "active"
    hook = system.url("ingest", "/webhooks/wazzup/sandbox-webhook-token")
    code, shown, err = await wabridge(system, "wazzup", "webhooks", "set", hook,
                                      "--subscriptions", "messagesAndStatuses,channelsUpdates")
    assert code == 0, err
    assert shown["webhooksUri"] == hook
    assert shown["subscriptions"]["channelsUpdates"] is True
    assert shown["subscriptions"]["contactsAndDealsCreation"] is False
    # Wazzup's test POST must pass: a wrong token makes the registration fail, with the code
    bad = system.url("ingest", "/webhooks/wazzup/not-the-token")
    code, _, err = await wabridge(system, "wazzup", "webhooks", "set", bad)
    assert code == 1 and "testPostNotPassed" in err


async def test_wazzups_create_contact_request_is_answered_with_the_new_contact(
    system: System,
) -> None:
    phone = new_chat()
    status, reply = await system.webhook({"createContact": {
        "responsibleUserId": "usr-petrov", "name": "Новиков Олег", "source": "auto",
        "contactData": [{"chatType": "whatsapp", "chatId": phone}]}})
    assert status == 200 and reply["name"] == "Новиков Олег" and reply["id"]

    async def created() -> Any:
        code, found = await system.api("GET", f"/api/v1/contacts?phone={phone}")
        return found["items"] if code == 200 and found["items"] else None
    [contact] = await eventually(created, what="the contact in the directory")
    assert contact["id"] == reply["id"] and contact["responsible_user_id"] == "usr-petrov"


async def test_a_create_contact_for_a_phone_the_directory_knows_is_answered_with_that_contact(
    system: System,
) -> None:
    sidorov = "79011112233"  # the demo seed's Сидоров Пётр, Ivanova's customer
    asked = [{"chatType": "whatsapp", "chatId": sidorov}]
    status, reply = await system.webhook({"createContact": {
        "responsibleUserId": "usr-petrov", "name": "Петя", "source": "auto",
        "contactData": asked}})
    assert status == 200, reply
    assert reply == {"id": "cnt-sidorov", "name": "Сидоров Пётр",
                     "responsibleUserId": "usr-ivanova", "contactData": asked}
    # a deal for it names the contact by the id Wazzup was given
    status, deal = await system.webhook({"createDeal": {
        "responsibleUserId": "usr-ivanova", "contacts": [reply["id"]], "source": "byUser"}})
    assert status == 200 and deal["contacts"] == ["cnt-sidorov"], deal
    code, found = await system.api("GET", f"/api/v1/contacts?phone={sidorov}")
    assert code == 200 and [(c["id"], c["name"], c["responsible_user_id"])
                            for c in found["items"]] == [
        ("cnt-sidorov", "Сидоров Пётр", "usr-ivanova")]


async def test_free_text_outside_the_24_hour_window_is_refused_and_a_template_is_sent(
    system: System,
) -> None:
    phone = new_chat()
    start = {"channel_id": "100000000000001", "provider": "meta", "phone": phone}
    status, body = await system.api("POST", "/api/v1/conversations", token=IVANOVA,
                                    json=start | {"text": "Добрый день!"})
    assert status == 422 and body["error"] == "window_closed" and "24-hour" in body["reason"]
    status, body = await system.api("POST", "/api/v1/conversations", token=IVANOVA, json=start | {
        "template_id": "order_ready", "template_values": ["Олег", "12"],
        "template_language": "ru"})
    assert status == 201, body

    async def template_sent() -> Any:
        records = await system.sandbox("GET", "/sandbox/requests",
                                       params={"provider": "meta", "chat_id": phone,
                                               "delivered": "true"})
        return records[0]["json"] if records else None
    sent = await eventually(template_sent, what="the template at Meta")
    assert sent["type"] == "template" and sent["template"]["name"] == "order_ready"
    params = sent["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == ["Олег", "12"]


async def test_a_wazzup_waba_channel_enforces_the_window_too(system: System) -> None:
    waba = "9b7d5e1f-3a2c-4e6b-8d0f-1c2b3a4d5e6f"  # the sandbox lists it with transport "wapi"

    async def listed() -> Any:
        _status, body = await system.api("GET", "/api/v1/channels")
        return next((c for c in body["items"] if c["channel_id"] == waba), None)
    channel = await eventually(listed, what="the WABA channel listed by the poll")
    assert channel["transport"] == "wapi"
    phone = new_chat()
    start = {"channel_id": waba, "provider": "wazzup", "phone": phone}
    status, body = await system.api("POST", "/api/v1/conversations", token=IVANOVA,
                                    json=start | {"text": "Добрый день!"})
    assert status == 422 and body["error"] == "window_closed"
    status, body = await system.api("POST", "/api/v1/conversations", token=IVANOVA,
                                    json=start | {"template_id": "tpl-1",
                                                  "template_values": ["Олег"]})
    assert status == 201, body

    async def template_sent() -> Any:
        records = await system.deliveries(phone)
        return records[0]["json"] if records else None
    sent = await eventually(template_sent, what="the template at Wazzup")
    assert (sent["templateId"], sent["templateValues"], sent["channelId"]) == \
        ("tpl-1", ["Олег"], waba)


async def test_the_channels_api_lists_every_configured_connection(system: System) -> None:
    status, body = await system.api("GET", "/api/v1/channels")
    assert status == 200
    assert {(c["id"], c["provider"]) for c in body["connections"]} == {
        ("wazzup", "wazzup"), ("meta", "meta"), ("chat_api", "chat_api")}
    assert "api_key" not in str(body) and "sandbox-meta-token" not in str(body)
