"""A bot flow's "set the task's status" through task-sync's API end to end (issue 12): the
editor reads the task system's statuses, a draft naming another one is kept but its publish is
a 422 naming the node and the status, and a flow that closes the task publishes and closes it."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

STATUSES = {"bot": "Диалог с ботом", "manager": "Диалог с менеджером", "closed": "Закрыта"}


def with_item(flow: dict[str, Any], status: str) -> dict[str, Any]:
    """``flow`` with a root item, code 7, that thanks the customer and sets ``status``."""
    item = {"id": "done", "title": "Вопрос решён", "triggers": {"codes": ["7"]},
            "answer": "Спасибо! Рады были помочь.",
            "action": {"type": "set_status", "status": status}}
    return flow | {"root": flow["root"] | {"children": [*flow["root"]["children"], item]}}


async def test_the_flow_editor_reads_the_task_systems_statuses_admins_only(
        system: System) -> None:
    status, body = await system.api("GET", "/api/v1/flows/statuses")
    assert (status, body) == (200, STATUSES)
    status, refused = await system.api("GET", "/api/v1/flows/statuses", token=IVANOVA)
    assert status == 403, refused


async def test_an_unknown_status_is_refused_and_the_closed_one_publishes_and_closes(
        system: System) -> None:
    status, view = await system.api("GET", "/api/v1/flows/default/draft")
    assert status == 200, view
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft",
                                     json=with_item(view["flow"], "Ожидает звонка"))
    assert status == 200, saved  # a draft is kept, problems and all
    assert [(p["node_id"], p["code"]) for p in saved["problems"]] == [("done", "unknown_status")]
    status, refused = await system.api("POST", "/api/v1/flows/default/publish", json={})
    assert status == 422, refused
    assert refused["problems"] == saved["problems"]
    assert "done" in refused["reason"] and "'Ожидает звонка'" in refused["reason"]
    status, stored = await system.api("GET", "/api/v1/flows/default/draft")
    assert stored["flow"] == saved["flow"]  # the unknown status still loads

    status, saved = await system.api("PUT", "/api/v1/flows/default/draft",
                                     json=with_item(view["flow"], STATUSES["closed"]))
    assert status == 200 and saved["problems"] == [], saved
    status, published = await system.api("POST", "/api/v1/flows/default/publish", json={
        "base_updated_at": saved["updated_at"]})
    assert status == 201, published

    chat = new_chat()
    await system.inbound(chat, "7")

    async def closed() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        return task if task and task["status"] == STATUSES["closed"] else None
    await eventually(closed, what=f"the task of {chat} closed by the flow")
