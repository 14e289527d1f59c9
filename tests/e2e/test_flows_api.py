"""The bot's flows through task-sync's API end to end (issue 12): a published draft changes
what the bot says, restore brings an old version back, YAML round trip, the simulator and the
replay of real conversations, the admin rule and malformed bodies (4xx, never 5xx)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import aiohttp

from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
HOURS = "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК)."
NEW_GREETING = "Добрый день! Это новый бот. 1 — график работы, 4 — менеджер."


async def sent(system: System, chat: str, n: int) -> list[str]:
    async def probe() -> list[str] | None:
        texts = await system.texts_sent(chat)
        return texts if len(texts) >= n else None
    return await eventually(probe, what=f"{n} messages sent to {chat}")


async def bot_comments(system: System, chat: str) -> list[str]:
    async def probe() -> list[str] | None:
        task = await system.task_of(chat)
        found = [c["text"] for c in await system.comments(task["id"])
                 if c["author_kind"] == "bot"] if task else []
        return found or None
    return await eventually(probe, what=f"the bot's comment in the task of {chat}")


async def draft(system: System, key: str = "default") -> dict[str, Any]:
    status, body = await system.api("GET", f"/api/v1/flows/{key}/draft")
    assert status == 200, body
    return dict(body)


async def publish(system: System, flow: dict[str, Any], note: str = "") -> dict[str, Any]:
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=flow)
    assert status == 200 and saved["problems"] == [], saved
    status, published = await system.api("POST", "/api/v1/flows/default/publish", json={
        "note": note, "base_updated_at": saved["updated_at"]})
    assert status == 201, published
    return dict(published)


async def test_the_seeded_default_flow_is_live_as_version_1(system: System) -> None:
    status, body = await system.api("GET", "/api/v1/flows")
    assert status == 200, body
    assert body["items"][0] == {"key": "default", "live_version": 1, "has_draft": False,
                                "draft_updated_at": None}
    view = await draft(system)
    assert view["base_version"] == 1 and view["updated_at"] is None
    assert view["flow"]["root"]["answer"].startswith(GREETING_START)
    assert [c["id"] for c in view["flow"]["root"]["children"]] == [
        "hours", "address", "order-status", "manager"]


async def test_a_published_draft_is_what_the_bot_says_and_restore_brings_the_old_back(
        system: System) -> None:
    flow = (await draft(system))["flow"]
    published = await publish(system, flow | {"root": flow["root"] | {"answer": NEW_GREETING}},
                              note="new greeting")
    assert (published["version"], published["note"]) == (2, "new greeting")

    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")
    assert (await sent(system, chat, 1))[0] == NEW_GREETING
    assert (await bot_comments(system, chat))[0] == NEW_GREETING

    status, restored = await system.api("POST", "/api/v1/flows/default/versions/1/restore")
    assert status == 201, restored
    assert (restored["version"], restored["note"]) == (3, "restored from 1")
    later = new_chat()
    await system.inbound(later, "Здравствуйте")
    assert (await sent(system, later, 1))[0].startswith(GREETING_START)

    status, versions = await system.api("GET", "/api/v1/flows/default/versions")
    assert status == 200
    assert [(v["version"], v["live"]) for v in versions["items"]] == [
        (3, True), (2, False), (1, False)]
    status, second = await system.api("GET", "/api/v1/flows/default/versions/2")
    assert status == 200 and second["flow"]["root"]["answer"] == NEW_GREETING


async def test_a_draft_with_problems_is_kept_but_never_published(system: System) -> None:
    flow = (await draft(system))["flow"]
    children = [*flow["root"]["children"],
                {"id": "vip", "triggers": {"codes": ["9"]}, "answer": "VIP",
                 "action": {"type": "hand_over", "group_id": "grp-nowhere"}}]
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft",
                                     json=flow | {"root": flow["root"] | {"children": children}})
    assert status == 200 and [p["code"] for p in saved["problems"]] == ["unknown_group"]

    status, refused = await system.api("POST", "/api/v1/flows/default/publish", json={})
    assert status == 422, refused
    assert refused["problems"] == saved["problems"] and refused["type"] and refused["title"]
    status, listed = await system.api("GET", "/api/v1/flows")
    assert listed["items"][0]["has_draft"] is True and listed["items"][0]["live_version"] == 3

    status, _ = await system.api("DELETE", "/api/v1/flows/default/draft")
    assert status == 204
    assert (await draft(system))["updated_at"] is None


async def test_yaml_exports_and_imports_the_same_flow(system: System) -> None:
    base = system.url("task_sync", "/api/v1/flows")
    auth = {"Authorization": "Bearer demo-admin-token"}
    async with system.http.get(f"{base}/default/export?version=1", headers=auth) as resp:
        assert resp.status == 200 and resp.content_type == "application/yaml"
        text = await resp.text()
    async with system.http.post(f"{base}/chan-e2e/import", data=text.encode(),
                                headers=auth | {"Content-Type": "application/yaml"}) as resp:
        imported = await resp.json()
        assert resp.status == 200, imported
    _, first = await system.api("GET", "/api/v1/flows/default/versions/1")
    assert imported["flow"] == first["flow"] | {"key": "chan-e2e"}

    async with system.http.post(f"{base}/chan-e2e/import", data=b"root:\n  id: [oops\n",
                                headers=auth) as resp:
        refused = await resp.json()
        assert resp.status == 422 and refused["error"] == "invalid_yaml", refused
        assert "line" in refused["reason"]
    await system.api("DELETE", "/api/v1/flows/chan-e2e/draft")


async def test_simulate_answers_like_the_bot_without_touching_anything(
        system: System) -> None:
    status, before = await system.api("GET", "/api/v1/tasks?limit=500")
    status, result = await system.api("POST", "/api/v1/flows/simulate", json={
        "key": "default", "version": None,
        "messages": [{"text": "привет"}, {"text": "1"}, {"text": "менеджер"},
                     {"text": "ау"}]})
    assert status == 200, result
    steps = result["steps"]
    assert result["version"] == 3
    assert steps[0]["replies"][0]["text"].startswith(GREETING_START)
    assert steps[1]["replies"][0]["text"] == HOURS and steps[1]["node_id"] == "hours"
    assert steps[2]["effects"] == [{"type": "hand_over"}]
    assert steps[3]["handed_over"] is True and steps[3]["replies"] == []
    status, after = await system.api("GET", "/api/v1/tasks?limit=500")
    assert len(after["items"]) == len(before["items"])


async def test_replay_shows_the_conversations_a_draft_would_hand_over(
        system: System) -> None:
    asked_hours, greeted = new_chat(), new_chat()
    for chat, texts in ((asked_hours, ["добрый день", "1"]), (greeted, ["добрый день"])):
        for n, text in enumerate(texts, start=1):
            await system.inbound(chat, text)
            await sent(system, chat, n)
    flow = (await draft(system))["flow"]
    children = [c | {"action": {"type": "hand_over"}} if c["id"] == "hours" else c
                for c in flow["root"]["children"]]
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft",
                                     json=flow | {"root": flow["root"] | {"children": children}})
    assert status == 200 and saved["problems"] == [], saved

    status, report = await system.api("POST", "/api/v1/flows/default/replay",
                                      json={"days": 1, "version": "draft"})
    assert status == 200, report
    hours_task = await system.task_of(asked_hours)
    greeted_task = await system.task_of(greeted)
    assert hours_task is not None and greeted_task is not None
    listed = {item["task_id"]: item for item in report["items"]}
    assert report["compared"] >= 2 and report["differing"] == len(report["items"])
    assert greeted_task["id"] not in listed
    item = listed[hours_task["id"]]
    assert (item["live_handed_over"], item["draft_handed_over"]) == (False, True)
    assert item["differences"] == [] or all(d["index"] >= 1 for d in item["differences"])
    await system.api("DELETE", "/api/v1/flows/default/draft")


async def test_only_admins_see_or_change_flows(system: System) -> None:
    for method, path, body in (
            ("GET", "/api/v1/flows", None), ("GET", "/api/v1/flows/default/draft", None),
            ("PUT", "/api/v1/flows/default/draft", {"root": {"id": "r", "answer": "x"}}),
            ("POST", "/api/v1/flows/default/publish", {}),
            ("POST", "/api/v1/flows/simulate", {"messages": [{"text": "1"}]}),
            ("POST", "/api/v1/flows/default/versions/1/restore", None)):
        status, refused = await system.api(method, path, token=IVANOVA, json=body)
        assert status == 403, (method, path, refused)
    status, listed = await system.api("GET", "/api/v1/flows")
    assert listed["items"][0]["has_draft"] is False


async def test_malformed_requests_are_refused_with_a_4xx(system: System) -> None:
    cases: list[tuple[str, str, Any, int]] = [
        ("PUT", "/api/v1/flows/default/draft", b"{not json", 400),
        ("PUT", "/api/v1/flows/default/draft", {"root": 5}, 422),
        ("PUT", "/api/v1/flows/default/draft", {"root": {"id": "r", "children": [
            {"id": "c", "action": {"type": "teleport"}}]}}, 422),
        ("PUT", "/api/v1/flows/bad key!/draft", {"root": {"id": "r"}}, 404),
        ("POST", "/api/v1/flows/default/publish", b"{oops", 400),
        ("POST", "/api/v1/flows/default/publish", {"note": 5}, 422),
        ("POST", "/api/v1/flows/simulate", {"messages": []}, 422),
        ("POST", "/api/v1/flows/simulate", {"messages": [{"text": "1"}],
                                            "at": "2026-01-01T10:00:00"}, 422),
        ("POST", "/api/v1/flows/simulate", {"messages": [{"text": "1"}], "version": 99}, 404),
        ("POST", "/api/v1/flows/default/replay", {"days": 0}, 422),
        ("POST", "/api/v1/flows/default/replay", {"version": "live"}, 422),
        ("GET", "/api/v1/flows/default/versions/abc", None, 404),
        ("GET", "/api/v1/flows/default/versions/99", None, 404),
        ("POST", "/api/v1/flows/default/versions/99/restore", None, 404),
        ("GET", "/api/v1/flows/default/export?version=zz", None, 400),
        ("POST", "/api/v1/flows/default/import", b"\xff\xfe", 400),
        ("POST", "/api/v1/flows/default/import", b"- just\n- a list\n", 422),
        ("PUT", "/api/v1/flows/default/hours", {"hours": {"timezone": "Mars/Base"}}, 422),
        ("PUT", "/api/v1/flows/default/hours", {"hours": {"hours": [
            {"day": "mon", "start": "18:00", "end": "09:00"}]}}, 422),
    ]
    for method, path, body, expected in cases:
        kw: dict[str, Any] = {"data": body} if isinstance(body, bytes) else {"json": body}
        status, answer = await system.api(method, path, **kw)
        assert status == expected, (method, path, body, status, answer)
        assert answer["error"] and answer["reason"], answer
    status, listed = await system.api("GET", "/api/v1/flows")
    assert listed["items"][0] == {"key": "default", "live_version": 3, "has_draft": False,
                                  "draft_updated_at": None}


async def test_business_hours_edit_the_drafts_hours_only(system: System) -> None:
    hours = {"timezone": "Europe/Moscow", "hours": [
        {"day": day, "start": "09:00", "end": "18:00"} for day in ("mon", "tue", "wed")]}
    status, saved = await system.api("PUT", "/api/v1/flows/default/hours",
                                     json={"hours": hours})
    assert status == 200 and saved["flow"]["hours"] == hours, saved
    status, read = await system.api("GET", "/api/v1/flows/default/hours")
    assert status == 200 and read == {"hours": hours}
    live = (await system.api("GET", "/api/v1/flows/default/versions/3"))[1]
    assert "hours" not in live["flow"]
    await system.api("DELETE", "/api/v1/flows/default/draft")


def png_form(content: bytes, name: str = "map.png") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="image/png")
    return form


async def test_an_admins_file_goes_out_with_a_bot_answer(system: System) -> None:
    """POST /api/v1/files stores an answer's file (admins only, checked like a comment's);
    a node carrying it sends the file after its text, byte for byte."""
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(5000)
    status, refused = await system.api("POST", "/api/v1/files", token=IVANOVA,
                                       data=png_form(png))
    assert status == 403, refused
    status, refused = await system.api("POST", "/api/v1/files", data=png_form(b"MZ\x90\x00"))
    assert status == 415, refused
    status, stored = await system.api("POST", "/api/v1/files", data=png_form(png))
    assert status == 201, stored
    assert (stored["file_name"], stored["mime_type"], stored["size"]) == (
        "map.png", "image/png", len(png))
    again = (await system.api("POST", "/api/v1/files", data=png_form(png)))[1]
    assert again["file_id"] == stored["file_id"]  # the same content is the same file

    flow = (await draft(system))["flow"]
    first, *rest = flow["root"]["children"]
    await publish(system, flow | {"root": flow["root"] | {"children": [
        first | {"attachment": stored}, *rest]}}, note="with a map")
    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")
    await sent(system, chat, 1)
    await system.inbound(chat, "1")

    async def file_send() -> dict[str, Any] | None:
        return next((r for r in await system.deliveries(chat) if "contentUri" in r["json"]),
                    None)
    request = await eventually(file_send, what="the answer's file sent")
    async with system.http.get(request["json"]["contentUri"]) as resp:
        assert resp.status == 200
        assert hashlib.sha256(await resp.read()).digest() == hashlib.sha256(png).digest()
    assert (await sent(system, chat, 2))[1] == first["answer"]
