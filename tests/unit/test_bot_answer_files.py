"""The bot's answer file in the task (issue 12): the comment of a bot answer that sends a file
lists that file as any comment lists its attachments, so managers reading the task see what
went out and download it (only those who see the task); the flow's file stays one stored file
however many comments sent it."""

from __future__ import annotations

from typing import Any, cast

from services.bot_router.decide import BotPolicy, decide
from services.task_sync.application.live import LiveHub
from services.task_sync.application.live_feed import LiveFeed
from services.task_sync.application.ports import TaskSystem
from services.task_sync.application.records import add_comments
from services.task_sync.application.views import comment_view
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.config import TaskSyncSettings, load
from shared.domain.access import Viewer
from shared.domain.conversations import Decision
from shared.domain.flows import FlowAttachment, FlowSet, FlowVersion, Node, Triggers
from shared.domain.outgoing import sends_for
from shared.store import files
from tests.fakes.task_sync import FakeTaskSync, a_task
from tests.unit.console_world import Console, Recorder, open_console, seed
from tests.unit.flow_samples import OPEN_AT

NOW = events.utcnow()
MAP = FlowAttachment(file_id="flow-file-map", file_name="map.png", mime_type="image/png",
                     size=4)
SENT = events.Attachment(file_id=MAP.file_id, file_name="map.png", mime_type="image/png",
                         size=4)
POLICY = BotPolicy(status_bot="Bot dialogue", status_manager="Manager dialogue",
                   status_closed="Closed", robot_user="WhatsAppRobot",
                   group_bot_user="1FWhatsAppBot", greeting="", handover_text="")
CHAT = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                      chat_id="79011112233")
FLOW = FlowVersion(key="default", version=3, published_at="2026-12-01", flow=FlowSet(
    root=Node(id="root", answer="Здравствуйте!\n1 — как нас найти", children=[
        Node(id="map", triggers=Triggers(codes=["1"]), answer="Мы здесь:", attachment=MAP)])))


def bot_answer(comment_id: str, task_id: str = "t1") -> events.AddComment:
    """The bot's record of an answer that sent the map."""
    return events.AddComment(
        id=f"cmd-{comment_id}", correlation_id="c", occurred_at=NOW, comment_id=comment_id,
        task_id=task_id, at=NOW, author_kind="bot", direction="out", text="Мы здесь:",
        author_name="WhatsAppRobot", send_id=f"send-{comment_id}", attachment=SENT)


def bundle(*items: events.AddComment) -> events.AddComments:
    return events.AddComments(id=f"b-{items[0].comment_id}", correlation_id="c",
                              occurred_at=NOW, items=list(items))


# ---- bot-router: the comment names the file the answer sends --------------------------------


def test_the_bots_comment_carries_the_file_its_answer_sends() -> None:
    def say(n: int, text: str, conv: Any) -> Decision:
        return decide(conv, events.MessageReceived(
            id=f"ev-{n}", correlation_id=f"corr-{n}", occurred_at=OPEN_AT, chat=CHAT,
            gateway_message_id=f"gw-{n}", content_type="text", text=text,
            contact_name="Anna", contact_phone="79011112233"), FLOW, POLICY, OPEN_AT)

    greeted = say(1, "Добрый день", None)
    answered = say(2, "1", greeted.conversation)
    [greeting] = [c for c in greeted.commands if isinstance(c, events.AddComment)
                  and c.author_kind == "bot"]
    [answer] = [c for c in answered.commands if isinstance(c, events.AddComment)
                and c.author_kind == "bot"]
    sends = [c for c in answered.commands if isinstance(c, events.SendMessage)]
    assert greeting.attachment is None
    assert answer.attachment == SENT
    assert [(s.text, s.attachment) for s in sends] == [("Мы здесь:", None), ("", SENT)]
    assert {s.comment_id for s in sends} == {answer.comment_id}


# ---- task-sync: the recorded comment lists it ------------------------------------------------


async def test_each_bot_comment_lists_the_answer_file_pointing_at_the_one_stored_file() -> None:
    ts = FakeTaskSync()
    await ts.tasks.create_task(a_task())
    await add_comments(ts.deps, bundle(bot_answer("out-1")))
    await add_comments(ts.deps, bundle(bot_answer("out-2")))
    await add_comments(ts.deps, bundle(bot_answer("out-1")))  # redelivered: nothing new
    [first] = await ts.tasks.attachments_of_comment("out-1")
    [second] = await ts.tasks.attachments_of_comment("out-2")
    assert first.id != second.id and len(ts.tasks.attachments) == 2
    assert first.stored_id == second.stored_id == MAP.file_id
    assert (first.task_id, first.state, first.size) == ("t1", "stored", 4)
    view = comment_view(ts.tasks.comments["out-1"], [first])
    assert view["attachments"] == [{
        "id": first.id, "file_name": "map.png", "mime_type": "image/png", "state": "stored",
        "size": 4, "url": f"/api/v1/files/{first.id}"}]


async def resent(*, caption_with_media: bool,
                 skip_parts: frozenset[int] = frozenset()) -> list[events.SendMessage]:
    """The sends a resend of the bot's answer with the map makes."""
    ts = FakeTaskSync()
    await ts.tasks.create_task(a_task())
    await add_comments(ts.deps, bundle(bot_answer("out-1")))
    records = await ts.tasks.attachments_of_comment("out-1")
    return sends_for(ts.tasks.tasks["t1"], ts.tasks.comments["out-1"], records, None,
                     signature="*{name}*:\n{text}", caption_with_media=caption_with_media,
                     skip_parts=skip_parts)


async def test_a_resent_bot_comment_sends_the_stored_file_not_its_record() -> None:
    sends = await resent(caption_with_media=False)
    assert [s.attachment.file_id for s in sends if s.attachment] == [MAP.file_id]


async def test_a_resent_bot_comment_goes_as_the_bot_sent_it_unsigned_text_then_file() -> None:
    """On a gateway that puts a caption on files (Meta) a person's comment is one part; the
    bot's went as text, then file: a resend keeps those parts (and their numbers, so the part
    the customer has is skipped), and carries no signature."""
    sends = await resent(caption_with_media=True)
    assert [(s.part, s.text, s.attachment is not None) for s in sends] == [
        (0, "Мы здесь:", False), (1, "", True)]
    again = await resent(caption_with_media=True, skip_parts=frozenset({0}))
    assert [(s.part, s.attachment is not None) for s in again] == [(1, True)]


async def test_the_live_chat_shows_the_bots_comment_with_its_file() -> None:
    class Tasks:
        async def get_task(self, task_id: str) -> Any:
            return a_task(task_id, assignee_user_id="u-iv")

    hub = LiveHub()
    sub = hub.subscribe(Viewer(user_id="u-iv", role="manager", group_ids=frozenset()))
    await LiveFeed(cast(TaskSystem, Tasks()), hub).on_message(bundle(bot_answer("out-1")))
    [shown] = sub.queue.get_nowait().data["comment"]["attachments"]
    assert (shown["file_name"], shown["state"], shown["url"]) == (
        "map.png", "stored", f"/api/v1/files/{shown['id']}")


# ---- the API: the comment shows it, the people who see the task download it -----------------


async def recorded_in(console: Console, task_id: str) -> dict[str, Any]:
    """The bot's answer recorded in ``task_id`` through task-sync's handler, as the API
    lists it."""
    settings = load(TaskSyncSettings, {"MONGODB_URL": "mongodb://unused",
                                       "WABRIDGE_URL_SIGNING_KEY": "unit-test-signing-key"})
    deps = builtin_deps(console.db, Recorder(), settings, robot_user_id="usr-robot",
                        group_bot_user_id="usr-robot")
    await add_comments(deps, bundle(bot_answer(f"out-{task_id}", task_id)))
    status, page = await console.call("GET", f"/api/v1/tasks/{task_id}/comments", "ivanova")
    assert status == 200, page
    [bot] = [c for c in page["items"] if c["author_kind"] == "bot"]
    return dict(bot)


async def test_a_manager_who_sees_the_task_downloads_the_bots_file(db: Any,
                                                                   mongo_url: str) -> None:
    await seed(db)
    await files.put(db, MAP.file_id, "map.png", "image/png", b"\x89PNG")
    async with open_console(db, mongo_url) as console:
        bot = await recorded_in(console, "t-ivanova")
        [shown] = bot["attachments"]
        assert (shown["file_name"], shown["mime_type"], shown["size"], shown["state"]) == (
            "map.png", "image/png", 4, "stored")
        status, content = await console.call("GET", shown["url"], "ivanova")
        assert (status, content) == (200, b"\x89PNG")
        status, _ = await console.call("GET", shown["url"], "smirnov")  # not his task
        assert status == 404
        status, _ = await console.call("GET", f"/api/v1/files/{MAP.file_id}", "ivanova")
        assert status == 404  # the flow's file itself stays the admins'
