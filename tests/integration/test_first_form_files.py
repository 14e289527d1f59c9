"""Files on their way into First Form, exactly once: the creation claim outlasts slow uploads,
and with FIRST_FORM_FILES_TO=task a lost answer never attaches a file twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.sandbox.first_form_world import Failure
from shared.domain.files import AttachmentRecord
from shared.errors import RetryableError
from shared.store import first_form_ids
from shared.store.builtin_ports import MongoFiles
from tests.first_form_setup import NOW, FirstFormRig, comment, first_form_rig, task


@dataclass
class Moving:
    """The adapter's wall clock, moved by the test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


async def with_files(rig: FirstFormRig, names: list[str]) -> None:
    """Comment c1 with its files pending, then each file stored (the last one posts it)."""
    for n, name in enumerate(names):
        await rig.system.add_attachment(AttachmentRecord(
            id=f"f{n}", comment_id="c1", task_id="t1", file_name=name,
            mime_type="application/pdf", state="pending"))
    await rig.system.add_comment(comment("c1", "документы", content_type="document"))
    for n, name in enumerate(names):
        await MongoFiles(rig.db).put(f"f{n}", name, "application/pdf", b"%PDF " + name.encode())
        await rig.system.set_attachment_state(f"f{n}", "stored", size=5 + len(name))


async def test_the_creation_claim_outlasts_several_slow_uploads(
    db: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Moving()
    async with first_form_rig(db, now=clock) as rig:
        await rig.system.create_task(task())
        poster = rig.system.poster
        upload, overtaken = poster._upload, []

        async def slow(record: AttachmentRecord, author: int) -> str:
            clock.now += timedelta(seconds=poster._lease_s * 0.8)  # most of a lease each
            # another replica's attempt at this moment must find the claim still held
            overtaken.append(await first_form_ids.claim(db, "comment", "c1", clock.now, 60))
            return await upload(record, author)

        monkeypatch.setattr(poster, "_upload", slow)
        await with_files(rig, ["a.pdf", "b.pdf", "c.pdf"])
        assert overtaken == [None, None, None]
        [posted] = rig.ff_comments()
        assert len(posted.file_ids) == 3


async def test_files_to_task_with_the_attach_answer_lost_attaches_the_file_once(
    db: Any,
) -> None:
    async with first_form_rig(db, FIRST_FORM_FILES_TO="task") as rig:
        await rig.system.create_task(task())
        rig.world.failures.append(Failure(count=1, status=502, path="PreUploadedFilesToTask",
                                          after_effect=True))
        with pytest.raises(RetryableError):
            await with_files(rig, ["act.pdf"])
        [ff] = rig.ff_tasks()
        assert len(ff.file_ids) == 1 and rig.ff_comments() == []  # attached; answer lost
        await rig.system.set_attachment_state("f0", "stored")  # the redelivered event
        assert len(ff.file_ids) == 1
        [posted] = rig.ff_comments()
        assert "📎 act.pdf" in posted.text and posted.file_ids == []
        assert len(await rig.requests("/preupload/")) == 1


async def test_files_to_task_with_the_comment_answer_lost_attaches_the_file_once(
    db: Any,
) -> None:
    async with first_form_rig(db, FIRST_FORM_FILES_TO="task") as rig:
        await rig.system.create_task(task())
        rig.world.failures.append(Failure(count=1, status=502, path="wa-comment",
                                          after_effect=True))
        with pytest.raises(RetryableError):
            await with_files(rig, ["act.pdf"])
        await rig.system.set_attachment_state("f0", "stored")
        [ff] = rig.ff_tasks()
        assert len(ff.file_ids) == 1 and len(rig.ff_comments()) == 1
        assert len(await rig.requests("PreUploadedFilesToTask")) == 1
