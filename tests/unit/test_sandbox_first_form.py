"""The sandbox's First Form imitation on its own: the guard (token, PAT, armed failures),
its refusals, what it records, and the person's side under ``/sandbox/first-form``."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.sandbox.app import create_app
from services.sandbox.first_form_api import WORLD
from services.sandbox.first_form_world import LOGIN, PASSWORD, PAT, World
from services.sandbox.settings import SandboxSettings

Client = TestClient[web.Request, web.Application]
FF = "/first-form"
PAT_HEADERS = {"1F-Pat": PAT}


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(SandboxSettings()))) as test_client:
        yield test_client


def world(client: Client) -> World:
    return client.server.app[WORLD]


async def call(client: Client, method: str, path: str, body: Any = None,
               headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    async with client.request(method, path, json=body,
                              headers=PAT_HEADERS if headers is None else headers) as resp:
        return resp.status, await resp.json(content_type=None), resp.headers


async def new_task(client: Client, chat: str = "79011112233") -> int:
    status, body, _ = await call(client, "POST", f"{FF}/api/tasks/create", {
        "subcatId": 1001, "taskText": "WhatsApp", "extParams": [{"id": 503, "value": chat}]})
    assert status == 200, body
    return int(body["data"]["value"])


async def test_calls_without_a_token_or_pat_are_refused_and_both_are_accepted(
    client: Client,
) -> None:
    status, _, _ = await call(client, "GET", f"{FF}/app/v1.0/api/subcategory/1001/states",
                              headers={})
    assert status == 401
    status, body, _ = await call(client, "POST", f"{FF}/api/auth/token-v2",
                                 {"login": LOGIN, "password": PASSWORD}, headers={})
    token = body["data"]["accessToken"]
    for headers in ({"1FormaAuth": token}, PAT_HEADERS):
        status, _, _ = await call(client, "GET", f"{FF}/app/v1.0/api/subcategory/1001/states",
                                  headers=headers)
        assert status == 200
    assert world(client).authorized_by == {"token": 1, "pat": 1}
    status, _, _ = await call(client, "POST", f"{FF}/api/auth/token-v2",
                              {"login": LOGIN, "password": "wrong"}, headers={})
    assert status == 401 and world(client).logins == 1


async def test_an_expired_token_is_refused(client: Client) -> None:
    _, body, _ = await call(client, "POST", f"{FF}/api/auth/token-v2",
                            {"login": LOGIN, "password": PASSWORD}, headers={})
    status, answer, _ = await call(client, "POST", "/sandbox/first-form/tokens",
                                   {"expire": True}, headers={})
    assert answer["logins"] == 1
    status, _, _ = await call(client, "GET", f"{FF}/app/v1.0/api/subcategory/1001/states",
                              headers={"1FormaAuth": body["data"]["token"]})
    assert status == 401


async def test_an_armed_failure_refuses_before_the_effect_with_retry_after(
    client: Client,
) -> None:
    await call(client, "POST", "/sandbox/first-form/fail", {
        "count": 1, "status": 503, "path": "/api/tasks/create", "retry_after": 2}, headers={})
    status, _, headers = await call(client, "POST", f"{FF}/api/tasks/create", {
        "subcatId": 1001, "taskText": "x"})
    assert (status, headers.get("Retry-After")) == (503, "2")
    assert [t for t in world(client).tasks.values() if t.subcat_id == 1001] == []
    await new_task(client)  # the failure was used up


async def test_an_armed_failure_after_the_effect_does_it_and_loses_the_answer(
    client: Client,
) -> None:
    await call(client, "POST", "/sandbox/first-form/fail", {
        "count": 1, "status": 502, "path": "/api/tasks/create", "after_effect": True},
        headers={})
    status, _, _ = await call(client, "POST", f"{FF}/api/tasks/create", {
        "subcatId": 1001, "taskText": "x"})
    assert status == 502
    assert len([t for t in world(client).tasks.values() if t.subcat_id == 1001]) == 1


async def test_refusals_follow_first_form(client: Client) -> None:
    task = await new_task(client)
    publication = f"{FF}/app/v1.2/api/publications/action"
    assert (await call(client, "POST", f"{publication}/wa-comment",
                       {"taskId": task, "authorId": 999, "text": "x"}))[0] == 500
    assert (await call(client, "POST", f"{publication}/wa-state",
                       {"taskId": task, "stateId": 99}))[0] == 400
    assert (await call(client, "POST", f"{publication}/wa-comment",
                       {"taskId": 1, "authorId": 10, "text": "x"}))[0] == 404
    assert (await call(client, "POST", f"{publication}/nothing", {"taskId": task}))[0] == 404
    assert (await call(client, "POST", f"{FF}/api/tasks/create",
                       {"subcatId": 5, "taskText": "x"}))[0] == 400
    assert (await call(client, "POST", f"{FF}/api/files/upload/PreUploadedFilesToTask",
                       {"taskId": task, "preUploadedFileId": "404"}))[0] == 400
    assert (await call(client, "GET", f"{FF}/api/files/download/1"))[0] == 404


async def test_the_search_filters_by_field_and_open_state(client: Client) -> None:
    mine, other = await new_task(client, "79011112233"), await new_task(client, "79990000000")
    search = f"{FF}/api-core/datasource/subcat/1001/data"
    query = {"filterModel": {"ExtParam503": {"type": "equals", "filter": "79011112233"}},
             "tasksState": "isOpened"}
    _, body, _ = await call(client, "POST", search, query)
    assert [r["TaskId"] for r in body["data"]["rows"]] == [mine] and other != mine
    await call(client, "POST", "/sandbox/first-form/state",
               {"task_id": mine, "state": "Закрыта"}, headers={})
    _, body, _ = await call(client, "POST", search, query)
    assert body["data"]["rows"] == []


async def test_requests_are_recorded_without_passwords_or_file_contents(
    client: Client,
) -> None:
    await call(client, "POST", f"{FF}/api/auth/token-v2",
               {"login": LOGIN, "password": PASSWORD}, headers={})
    await call(client, "POST", f"{FF}/api/files/preupload/base64", {
        "fileName": "a.pdf", "fileData": base64.b64encode(b"x" * 10).decode()})
    _, recorded, _ = await call(client, "GET", "/sandbox/requests?provider=first_form",
                                headers={})
    shown = {r["path"].removeprefix(FF): r["json"] for r in recorded}
    assert shown["/api/auth/token-v2"]["password"] == "***"
    assert shown["/api/files/preupload/base64"]["fileData"] == "<10 bytes>"


async def test_a_manager_comment_with_a_file_and_a_reply_shows_in_the_feed(
    client: Client,
) -> None:
    task = await new_task(client)
    async with client.post("/sandbox/media", data=b"%PDF", params={"filename": "a.pdf"},
                           headers={"Content-Type": "application/pdf"}) as resp:
        media = (await resp.json())["id"]
    _, first, _ = await call(client, "POST", "/sandbox/first-form/comment",
                             {"task_id": task, "text": "вопрос"}, headers={})
    _, made, _ = await call(client, "POST", "/sandbox/first-form/comment", {
        "task_id": task, "text": "<p>ответ</p>", "reply_to": first["id"],
        "media_ids": [media]}, headers={})
    assert len(made["file_ids"]) == 1
    _, feed, _ = await call(client, "GET", f"{FF}/app/v1.0/api/feeds/task/{task}")
    [_, _, reply] = feed["data"]["items"]
    assert (reply["threadCommentId"], reply["author"]["id"], reply["files"][0]["name"]) == (
        first["id"], 101, "a.pdf")
    for bad in ({"task_id": 1, "text": "x"}, {"task_id": task, "media_ids": ["nope"]},
                {"task_id": task, "unknown": 1}):
        status, _, _ = await call(client, "POST", "/sandbox/first-form/comment", bad,
                                  headers={})
        assert status == 400
