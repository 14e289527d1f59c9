"""The bot's answer file in the task end to end (issue 12): a published node that sends a file
leaves a bot comment listing that file, which the manager who gets the task downloads byte for
byte, and another manager cannot; with First Form as the task system the bot's comment there
carries the file too."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import aiohttp
import pytest

from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

SMIRNOV = "demo-manager-smirnov"  # in another group


@pytest.fixture(scope="module", params=["builtin", "first_form"])
def task_system(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def publish_with_file(system: System, content: bytes) -> dict[str, Any]:
    """The seed's flow with the admin's file on the first menu item; that item's node."""
    form = aiohttp.FormData()
    form.add_field("file", content, filename="map.png", content_type="image/png")
    status, stored = await system.api("POST", "/api/v1/files", data=form)
    assert status == 201, stored
    status, draft = await system.api("GET", "/api/v1/flows/default/draft")
    assert status == 200, draft
    flow = draft["flow"]
    first, *rest = flow["root"]["children"]
    first |= {"attachment": stored}
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=flow | {
        "root": flow["root"] | {"children": [first, *rest]}})
    assert status == 200 and saved["problems"] == [], saved
    status, published = await system.api("POST", "/api/v1/flows/default/publish", json={
        "note": "with a map", "base_updated_at": saved["updated_at"]})
    assert status == 201, published
    return dict(first)


async def test_the_bots_comment_lists_its_file_for_the_manager_who_sees_the_task(
    system: System, task_system: str,
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
    node = await publish_with_file(system, png)
    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")

    async def greeted() -> bool:
        return bool(await system.texts_sent(chat))
    await eventually(greeted, what="the greeting sent")
    await system.inbound(chat, "1")

    async def bot_comment_with_file() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        found = [c for c in await system.comments(task["id"])
                 if c["author_kind"] == "bot" and c["attachments"]] if task else []
        return found[0] if found else None
    bot = await eventually(bot_comment_with_file, what="the bot's comment with its file",
                           timeout=20)
    assert bot["text"] == node["answer"]
    [shown] = bot["attachments"]
    assert (shown["file_name"], shown["mime_type"], shown["size"], shown["state"]) == (
        "map.png", "image/png", len(png), "stored")

    task = await system.task_of(chat)
    assert task is not None
    status, _ = await system.api("GET", shown["url"], token=IVANOVA)
    assert status == 404  # not hers yet
    await system.give_to(task["id"], "usr-ivanova")
    status, page = await system.api("GET", f"/api/v1/tasks/{task['id']}/comments",
                                    token=IVANOVA)
    assert status == 200, page
    assert [c["attachments"] for c in page["items"] if c["id"] == bot["id"]] == [[shown]]
    async with system.http.get(system.url("task_sync", shown["url"]),
                               headers={"Authorization": f"Bearer {IVANOVA}"}) as resp:
        assert resp.status == 200
        assert hashlib.sha256(await resp.read()).digest() == hashlib.sha256(png).digest()
    status, _ = await system.api("GET", shown["url"], token=SMIRNOV)
    assert status == 404

    if task_system == "first_form":
        async def ff_bot_file() -> list[dict[str, Any]] | None:
            ff = await system.sandbox("GET", "/sandbox/first-form/tasks",
                                      params={"chat_id": chat})
            return next((c["files"] for t in ff for c in t["comments"]
                         if c["files"] and node["answer"] in c["text"]), None)
        [ff_file] = await eventually(ff_bot_file, what="the bot's file in First Form",
                                     timeout=20)
        assert ff_file["sha256"] == hashlib.sha256(png).hexdigest()
