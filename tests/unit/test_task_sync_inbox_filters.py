"""The inbox's assignee filter against fakes: "me" is the person asking, "none" the tasks
nobody has yet, anything else a user id."""

from __future__ import annotations

from services.task_sync.application import inbox as use_cases
from shared.domain.access import Viewer
from tests.fakes.task_sync import FakeTaskSync, a_chat, a_task

ADMIN = Viewer(user_id="u-ad", role="admin")


async def ids(ts: FakeTaskSync, assignee: str) -> list[str]:
    query = use_cases.query_for(ts.deps, ADMIN, "all", assignee_user_id=assignee)
    page = await use_cases.list_page(ts.deps, query)
    return sorted(item["id"] for item in page.items)


async def test_the_assignee_filter_takes_me_nobody_or_a_user() -> None:
    ts = FakeTaskSync()
    await ts.tasks.create_task(a_task("mine", chat=a_chat(chat_id="79010000001"),
                                      assignee_user_id="u-ad"))
    await ts.tasks.create_task(a_task("hers", chat=a_chat(chat_id="79010000002"),
                                      assignee_user_id="u-iv"))
    await ts.tasks.create_task(a_task("queued", chat=a_chat(chat_id="79010000003"),
                                      assignee_group_id="g-cc"))
    assert await ids(ts, "me") == ["mine"]
    assert await ids(ts, "none") == ["queued"]
    assert await ids(ts, "u-iv") == ["hers"]
