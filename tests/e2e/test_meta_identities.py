"""Issue 11 end to end through the sandbox's Meta dialect: one customer, one conversation
whichever identifier a webhook carries; system notices; Flows answers; edits and revokes;
coexistence echoes; reactions; messages without a sender."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
HOURS = "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК)."
MANAGER = "Диалог с менеджером"


def new_bsuid() -> str:
    return f"ES.{uuid.uuid4().int % 10**12}"


async def meta(system: System, chat_id: str, text: str | None = "hi", **spec: Any
               ) -> dict[str, Any]:
    body = {"provider": "meta", "chat_id": chat_id, "name": "Ana"} | spec
    if text is not None:
        body["text"] = text
    async with system.http.post(system.url("sandbox", "/sandbox/inbound"), json=body) as resp:
        answer: dict[str, Any] = await resp.json()
    assert resp.status == 200 and answer["ingest_status"] == 200, answer
    return answer


async def meta_sends(system: System, *targets: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for target in targets:
        found += await system.sandbox("GET", "/sandbox/requests", params={
            "provider": "meta", "delivered": "true", "chat_id": target})
    return [r for r in found if "media" not in r["path"]]


async def tasks_of(system: System, *chat_ids: str) -> list[dict[str, Any]]:
    status, body = await system.api("GET", "/api/v1/tasks?limit=500")
    assert status == 200, body
    return [t for t in body["items"] if t["chat"]["chat_id"] in chat_ids]


async def comment_where(system: System, task_id: str, test: Any, what: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next((c for c in await system.comments(task_id) if test(c)), None)
    return await eventually(probe, what=what)


async def the_task(system: System, *chat_ids: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = await tasks_of(system, *chat_ids)
        return found[0] if found else None
    return await eventually(probe, what=f"the task of {chat_ids}")


async def test_phone_then_phone_and_bsuid_then_username_is_one_task_with_one_greeting(
        system: System) -> None:
    phone, bsuid = new_chat(), new_bsuid()
    await meta(system, phone, "здравствуйте")
    task = await the_task(system, phone, bsuid)
    await meta(system, phone, "1", user_id=bsuid)
    await meta(system, "", "это я, с именем пользователя", user_id=bsuid, username="@ana",
               phone_hidden=True)
    await comment_where(system, task["id"], lambda c: c["text"].startswith("это я"),
                        "the username message in the same task")
    assert [t["id"] for t in await tasks_of(system, phone, bsuid)] == [task["id"]]
    greetings = [r for r in await meta_sends(system, phone, bsuid)
                 if r["json"].get("text", {}).get("body", "").startswith(GREETING_START)]
    assert len(greetings) == 1
    record = await customer_of(system, task["id"])
    assert (record["customer"]["phone"], record["customer"]["user_id"]) == ("+" + phone, bsuid)
    links = {(link["kind"], link["value"]): link for link in record["links"]}
    assert set(links) == {("phone", "+" + phone), ("bsuid", bsuid), ("username", "ana")}
    assert links[("phone", "+" + phone)]["reason"] == "first message"
    assert links[("bsuid", bsuid)]["reason"] == f"in one message with phone:+{phone}"
    assert all(link["gateway_message_id"].startswith("wamid.") for link in links.values())


async def customer_of(system: System, task_id: str) -> dict[str, Any]:
    status, body = await system.api("GET", f"/api/v1/tasks/{task_id}/customer")
    assert status == 200, body
    return body


async def test_customers_found_to_be_one_show_the_merge_on_both_tasks(system: System) -> None:
    phone, bsuid = new_chat(), new_bsuid()
    await meta(system, phone, "по телефону")
    by_phone = await the_task(system, phone)
    await meta(system, "", "по имени пользователя", user_id=bsuid, phone_hidden=True)
    by_bsuid = await the_task(system, bsuid)
    assert by_phone["id"] != by_bsuid["id"]
    await meta(system, phone, "оба сразу", user_id=bsuid, message_id=f"wamid.both-{phone}")
    await comment_where(system, by_phone["id"], lambda c: c["text"] == "оба сразу",
                        "the message in the older task")
    one, two = await customer_of(system, by_phone["id"]), await customer_of(
        system, by_bsuid["id"])
    assert one == two and one["customer"]["phone"] == "+" + phone
    [merge] = one["merges"]
    assert merge["into"] == one["customer"]["id"] and merge["customer_id"] in one["customer"][
        "merged_from"]
    assert merge["gateway_message_id"] == f"wamid.both-{phone}"
    owners = {link["kind"]: link["customer_id"] for link in one["links"]}
    assert owners == {"phone": merge["into"], "bsuid": merge["customer_id"]}


async def test_bsuid_only_customer_is_answered_at_the_bsuid_then_linked_to_the_phone(
        system: System) -> None:
    phone, bsuid = new_chat(), new_bsuid()
    await meta(system, "", "привет", user_id=bsuid, phone_hidden=True)
    task = await the_task(system, bsuid)

    async def greeted() -> list[dict[str, Any]] | None:
        return await meta_sends(system, bsuid) or None
    [greeting] = await eventually(greeted, what="the greeting sent to the BSUID")
    assert greeting["json"]["recipient"] == bsuid and "to" not in greeting["json"]
    await meta(system, phone, "теперь с телефоном", user_id=bsuid)
    await meta(system, phone, "и только телефон")
    await comment_where(system, task["id"], lambda c: c["text"] == "и только телефон",
                        "the phone-only message in the BSUID task")
    assert [t["id"] for t in await tasks_of(system, phone, bsuid)] == [task["id"]]


async def test_changed_number_shows_a_notice_and_moves_the_managers_messages(
        system: System) -> None:
    old, new = new_chat(), new_chat()
    await meta(system, old, "здравствуйте")
    task = await the_task(system, old)
    await meta(system, old, "Ana changed from old to new", kind="system",
               system_type="user_changed_number", new_phone=new)
    notice = await comment_where(system, task["id"], lambda c: c["author_kind"] == "system",
                                 "the notice")
    assert notice["text"].startswith("[notice] Ana changed")
    moved = await eventually(lambda: _task_sending_to(system, task["id"], new),
                             what="the task sending to the new number")
    assert moved["phone"] == new
    await meta(system, new, "пишу с нового номера")
    await comment_where(system, task["id"], lambda c: c["text"] == "пишу с нового номера",
                        "the new number's message in the same task")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/comments",
                                    json={"text": "Приняли новый номер"})
    assert status == 201, body

    async def at_new_number() -> list[dict[str, Any]] | None:
        found = [r for r in await meta_sends(system, new)
                 if "Приняли новый номер" in r["json"].get("text", {}).get("body", "")]
        return found or None
    await eventually(at_new_number, what="the manager's message at the new number")
    sent_to_old = [r for r in await meta_sends(system, old) if "Приняли" in str(r["json"])]
    assert sent_to_old == []


async def _task_sending_to(system: System, task_id: str, address: str) -> dict[str, Any] | None:
    status, task = await system.api("GET", f"/api/v1/tasks/{task_id}")
    return task if status == 200 and task["chat"].get("address") == address else None


async def test_changed_user_id_keeps_the_task_and_the_new_bsuid_is_answered(
        system: System) -> None:
    old, new = new_bsuid(), new_bsuid()
    await meta(system, "", "здравствуйте", user_id=old, phone_hidden=True)
    task = await the_task(system, old)
    await meta(system, "", "Ana changed their user id", user_id=old, phone_hidden=True,
               kind="system", system_type="user_changed_user_id", new_user_id=new)
    notice = await comment_where(system, task["id"], lambda c: c["author_kind"] == "system",
                                 "the notice")
    assert notice["text"].startswith("[notice] Ana changed")
    await eventually(lambda: _task_sending_to(system, task["id"], new),
                     what="the task sending to the new BSUID")
    await meta(system, "", "1", user_id=new, phone_hidden=True)
    await comment_where(system, task["id"], lambda c: c["text"] == "1",
                        "the new BSUID's message in the same task")
    assert [t["id"] for t in await tasks_of(system, old, new)] == [task["id"]]

    async def answered_at_new() -> list[dict[str, Any]] | None:
        return [r for r in await meta_sends(system, new)
                if r["json"].get("text", {}).get("body") == HOURS] or None
    [answer] = await eventually(answered_at_new, what="the bot's answer at the new BSUID")
    assert answer["json"]["recipient"] == new and "to" not in answer["json"]


async def test_two_customers_sharing_a_display_name_get_two_tasks(system: System) -> None:
    (one, one_id), (two, two_id) = (new_chat(), new_bsuid()), (new_chat(), new_bsuid())
    await meta(system, one, "здравствуйте", name="Alex", user_id=one_id)
    await meta(system, two, "здравствуйте", name="Alex", user_id=two_id)
    first, second = await the_task(system, one, one_id), await the_task(system, two, two_id)
    assert first["id"] != second["id"]
    assert (first["phone"], second["phone"]) == (one, two)


async def test_a_batch_mixing_a_system_message_with_texts_keeps_each_for_what_it_is(
        system: System) -> None:
    phone, moved = new_chat(), new_chat()
    await meta(system, phone, "здравствуйте")
    task = await the_task(system, phone)
    await meta(system, phone, "1", batch=[
        {"chat_id": phone, "kind": "system", "system_type": "user_changed_number",
         "new_phone": moved, "text": "Ana changed their number"},
        {"chat_id": phone, "name": "Ana", "text": "хочу поговорить с человеком"}])
    last = await comment_where(system, task["id"],
                               lambda c: c["text"] == "хочу поговорить с человеком",
                               "the batch's last text in the same task")
    comments = await system.comments(task["id"])
    order = [c["id"] for c in comments]
    first = next(c for c in comments if c["text"] == "1")
    notice = next(c for c in comments if c["author_kind"] == "system")
    assert notice["text"] == "[notice] Ana changed their number"
    assert order.index(first["id"]) < order.index(notice["id"]) < order.index(last["id"])
    assert any(c["text"] == HOURS for c in comments), "the code was answered"

    async def handed_over() -> dict[str, Any] | None:
        status, now = await system.api("GET", f"/api/v1/tasks/{task['id']}")
        return now if status == 200 and now["status"] == MANAGER else None
    assert (await eventually(handed_over, what="the free text handed over"))["chat"].get(
        "address") == moved
    assert await tasks_of(system, moved) == []


async def test_message_without_a_sender_opens_no_task_and_sends_nothing(
        system: System) -> None:
    message_id = f"wamid.nosender-{uuid.uuid4().hex[:8]}"
    await meta(system, "", "someone changed", kind="system", message_id=message_id,
               system_type="customer_identity_changed")
    await meta(system, new_chat(), "a later message is still handled")  # the queue moves on

    async def listed() -> bool:
        status, found = await system.api("GET", "/api/v1/problems")
        assert status == 200, found
        return any(p.get("gateway_message_id") == message_id for p in found["items"])
    await eventually(listed, what="the problem listed")
    assert await tasks_of(system, "") == []
    assert await meta_sends(system, "") == []


async def test_flow_answer_edit_revoke_reaction_unsupported_and_echo_in_one_dialogue(
        system: System) -> None:
    phone = new_chat()
    await meta(system, phone, "здравствуйте")
    task = await the_task(system, phone)
    await meta(system, phone, None, kind="reaction", emoji="❤", target_message_id="wamid.x")
    await meta(system, phone, "Это Мария из приложения", is_echo=True)
    echo = await comment_where(system, task["id"],
                               lambda c: c["text"] == "Это Мария из приложения", "the echo")
    assert echo["direction"] == "out"
    await comment_where(system, task["id"], lambda c: c["text"] == "[reaction ❤]", "reaction")
    status, now = await system.api("GET", f"/api/v1/tasks/{task['id']}")
    assert now["status"] == "Диалог с ботом", "no hand-over by a reaction or an echo"
    await meta(system, phone, None, kind="flow", flow_name="booking",
               flow_response={"screen_0_Full_name_0": "Ana Pérez", "email": "ana@example.com"})
    form = await comment_where(system, task["id"], lambda c: c.get("form"), "the form answer")
    assert form["text"].splitlines() == ["[form] booking", "Full name: Ana Pérez",
                                         "Email: ana@example.com"]
    assert [f["label"] for f in form["form"]] == ["Full name", "Email"]

    await meta(system, phone, "мой заказ 1234", message_id=f"wamid.o-{phone}")
    original = await comment_where(system, task["id"], lambda c: c["text"] == "мой заказ 1234",
                                   "the original")
    await meta(system, phone, "мой заказ 12345", kind="edit",
               target_message_id=f"wamid.o-{phone}")
    await comment_where(system, task["id"], lambda c: c["id"] == original["id"]
                        and c.get("current_text") == "мой заказ 12345", "the edit")
    await meta(system, phone, None, kind="revoke", target_message_id=f"wamid.o-{phone}")
    await comment_where(system, task["id"], lambda c: c["id"] == original["id"]
                        and c.get("deleted"), "the revoke")
    status, revs = await system.api("GET", f"/api/v1/comments/{original['id']}/revisions")
    assert status == 200 and [r["kind"] for r in revs["items"]] == ["edited", "deleted"]

    await meta(system, phone, None, kind="reaction", emoji="👍",
               target_message_id=f"wamid.o-{phone}")
    await comment_where(system, task["id"], lambda c: c["text"] == "[reaction 👍]",
                        "the reaction")
    await meta(system, phone, "poll_creation", kind="unsupported")
    await comment_where(system, task["id"], lambda c: "Message type unknown" in c["text"],
                        "the unsupported message with Meta's title")


async def meta_calls(system: System, test: Any) -> list[dict[str, Any]] | None:
    found = [r for r in await system.sandbox("GET", "/sandbox/requests",
                                             params={"provider": "meta"})
             if isinstance(r.get("json"), dict) and test(r["json"])]
    return found or None


async def test_manager_marks_read_shows_typing_and_reacts_both_ways(system: System) -> None:
    phone = new_chat()
    await meta(system, phone, "здравствуйте", message_id=f"wamid.r-{phone}")
    task = await the_task(system, phone)
    question = await comment_where(system, task["id"], lambda c: c["text"] == "здравствуйте",
                                   "the customer's message")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/read")
    assert (status, body) == (202, {"sent": True}), body
    await eventually(lambda: meta_calls(system, lambda j: j.get("status") == "read" and j.get(
        "message_id") == f"wamid.r-{phone}"), what="the read mark at Meta")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/typing")
    assert status == 202 and body["sent"], body
    await eventually(lambda: meta_calls(system, lambda j: j.get("typing_indicator") == {
        "type": "text"} and j.get("message_id") == f"wamid.r-{phone}"),
        what="the typing indicator at Meta")

    path = f"/api/v1/tasks/{task['id']}/comments/{question['id']}/reaction"
    status, refused = await system.api("PUT", path, token=IVANOVA, json={"emoji": "👍"})
    assert status in (403, 404), refused  # not hers: she may not write into it
    status, reaction = await system.api("PUT", path, json={"emoji": "👍"})
    assert status == 201 and reaction["reply_to_comment_id"] == question["id"], reaction
    await eventually(lambda: meta_calls(system, lambda j: j.get("reaction") == {
        "message_id": f"wamid.r-{phone}", "emoji": "👍"}), what="the reaction at Meta")
    status, _ = await system.api("DELETE", path)
    assert status == 201
    await eventually(lambda: meta_calls(system, lambda j: j.get("reaction") == {
        "message_id": f"wamid.r-{phone}", "emoji": ""}), what="the reaction taken back")
    texts = [c["text"] for c in await system.comments(task["id"])]
    assert "[reaction 👍]" in texts and "[reaction removed]" in texts


async def test_wazzup_has_no_read_marks_and_says_so(system: System) -> None:
    chat = new_chat()
    await system.inbound(chat, "здравствуйте")
    task = await the_task(system, chat)
    await comment_where(system, task["id"], lambda c: c["direction"] == "in", "the message")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/read")
    assert status == 202 and body["sent"] is False and "wazzup" in body["reason"]
