"""The bot's answer file in First Form (issue 12): the bot's comment is posted with the file it
sent, read from the one stored file the comment's attachment points at."""

from __future__ import annotations

from typing import Any

from shared import events
from shared.domain.files import shown_file
from shared.store.builtin_ports import MongoFiles
from tests.first_form_setup import comment, first_form_rig, task

MAP = events.Attachment(file_id="flow-file-map", file_name="map.png", mime_type="image/png",
                        size=8)
CONTENT = b"\x89PNG\r\n\x1a\n"


async def test_the_bots_comment_is_posted_with_the_file_its_answer_sent(db: Any) -> None:
    async with first_form_rig(db) as rig:
        await rig.system.create_task(task())
        await MongoFiles(db).put(MAP.file_id, MAP.file_name, MAP.mime_type, CONTENT)
        await rig.system.add_attachment(shown_file("b1", "t1", MAP))
        await rig.system.add_comment(comment("b1", "Мы здесь:", author_kind="bot",
                                             direction="out", send_id="send-b1"))
        [posted] = rig.ff_comments()
        assert "Мы здесь:" in posted.text
        assert [(rig.world.files[f].name, rig.world.files[f].content)
                for f in posted.file_ids] == [("map.png", CONTENT)]
