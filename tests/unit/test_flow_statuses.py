"""A flow's ``set_status`` names one of the task system's configured statuses (issue 12): the
editor reads them, publishing refuses any other naming the node and the status, the closed one
is allowed, and a stored flow with an unknown status still loads."""

from __future__ import annotations

import pytest

from services.task_sync.application import flows
from services.task_sync.application.errors import Forbidden
from services.task_sync.application.flows import FlowInvalid, PublishFlow
from services.task_sync.deps import Deps
from shared.domain.directory import User
from shared.domain.drafts import FlowDraft
from shared.domain.flows import FlowSet, Node, SetStatusAction, Triggers
from shared.domain.tasks import Statuses
from tests.fakes.flows import FakeFlows
from tests.fakes.task_sync import an_actor, fake_deps, settings

ADMIN = an_actor(User(id="usr-admin", full_name="Admin", role="admin"))
MANAGER = an_actor(User(id="usr-ivanova", full_name="Ivanova", role="manager"))
# the statuses of a First Form account that names them its own way
CONFIGURED = {"WABRIDGE_STATUS_BOT": "Бот", "WABRIDGE_STATUS_MANAGER": "В работе",
              "WABRIDGE_STATUS_CLOSED": "Выполнена"}


def world() -> tuple[Deps, FakeFlows]:
    store = FakeFlows()
    return fake_deps(config=settings(**CONFIGURED), flows=store), store


def setting(status: str) -> FlowSet:
    """A menu whose item 2 sets ``status`` (the dialogue goes on)."""
    return FlowSet(root=Node(id="root", answer="1 hours, 2 done", children=[
        Node(id="hours", triggers=Triggers(codes=["1"]), answer="9-18"),
        Node(id="done", triggers=Triggers(codes=["2"]), answer="Thank you!",
             action=SetStatusAction(status=status))]))


async def test_the_editor_reads_the_configured_statuses() -> None:
    deps, _ = world()
    assert await flows.known_statuses(deps, ADMIN) == Statuses(
        bot="Бот", manager="В работе", closed="Выполнена")


async def test_only_admins_read_the_statuses_of_flows() -> None:
    deps, _ = world()
    with pytest.raises(Forbidden):
        await flows.known_statuses(deps, MANAGER)


async def test_publishing_an_unknown_status_is_refused_naming_the_node_and_the_status() -> None:
    deps, store = world()
    view = await flows.save_draft(deps, ADMIN, "default", setting("Закрыта"))  # the default's
    assert [(p.node_id, p.code) for p in view.problems] == [("done", "unknown_status")]

    with pytest.raises(FlowInvalid) as refused:
        await flows.publish_draft(deps, PublishFlow(key="default", actor=ADMIN))
    assert refused.value.error == "flow_invalid"
    assert "done" in refused.value.reason and "'Закрыта'" in refused.value.reason
    assert store.live_versions == {} and "default" in store.drafts


@pytest.mark.parametrize("status", ["Выполнена", "В работе", "Бот"])
async def test_a_configured_status_publishes_the_closed_one_too(status: str) -> None:
    deps, store = world()
    view = await flows.save_draft(deps, ADMIN, "default", setting(status))
    assert view.problems == []
    published = await flows.publish_draft(deps, PublishFlow(key="default", actor=ADMIN))
    assert published.version == 1
    assert store.live_versions["default"].flow.root.children[1].action == SetStatusAction(
        status=status)


async def test_a_stored_flow_with_an_unknown_status_still_loads_with_its_problem() -> None:
    deps, store = world()
    await store.save_draft(FlowDraft(key="default", flow=setting("Ожидает звонка"),
                                     updated_at="2026-12-01T10:00:00+00:00"))
    view = await flows.read_draft(deps, ADMIN, "default")
    assert view.flow.root.children[1].action == SetStatusAction(status="Ожидает звонка")
    assert [(p.node_id, p.code) for p in view.problems] == [("done", "unknown_status")]
