"""The task card and /me carry what the console must not guess: what the chat's gateway
carries besides messages (from its capabilities: reactions and typing are offered only where
they go out) and the configured status names (Close, the status list, the inbox filter)."""

from __future__ import annotations

from services.task_sync.application.task_card import gateway_features, task_card
from services.task_sync.auth_api import me_of
from shared.domain.directory import User
from tests.fakes.task_sync import FakeTaskSystem, a_task, an_actor, fake_deps, settings


def test_meta_carries_reactions_typing_and_read_marks() -> None:
    assert gateway_features("meta") == {"reactions": True, "typing": True, "read_marks": True}


def test_wazzup_and_chat_api_carry_no_reactions() -> None:
    assert gateway_features("wazzup")["reactions"] is False
    assert gateway_features("chat_api")["reactions"] is False
    assert gateway_features("chat_api")["read_marks"] is True


def test_an_unknown_gateway_is_offered_nothing() -> None:
    assert gateway_features("telegram") == {"reactions": False, "typing": False,
                                            "read_marks": False}


async def test_the_card_names_the_configured_statuses_and_the_gateways_features() -> None:
    tasks = FakeTaskSystem()
    deps = fake_deps(tasks=tasks, config=settings(WABRIDGE_STATUS_CLOSED="Завершена"))
    await tasks.create_task(a_task("t-1"))
    admin = an_actor(User(id="usr-admin", full_name="Админ", role="admin", is_admin=True))

    card = await task_card(deps, admin.viewer, "t-1")

    # the console closes a task with statuses.closed: the configured name, not a default
    assert card["statuses"] == {"bot": "Диалог с ботом", "manager": "Диалог с менеджером",
                                "closed": "Завершена"}
    assert card["gateway"] == gateway_features(card["chat"]["provider"])


async def test_me_names_the_configured_statuses_for_the_inbox_filter() -> None:
    deps = fake_deps(config=settings(WABRIDGE_STATUS_MANAGER="У менеджера"))
    user = User(id="usr-1", full_name="Иванова", role="manager")
    me = await me_of(deps, user, None)
    assert me.statuses == ["Диалог с ботом", "У менеджера", "Закрыта"]
