"""The First Form adapter against the sandbox's First Form (in this process) and MongoDB or the
stand-in: what reaches First Form, exactly once across interrupted attempts, what comes back
from its feed, and how its refusals surface."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.sandbox.first_form_world import Failure
from shared.domain.comments import NOTICE
from shared.domain.files import AttachmentRecord
from shared.errors import PermanentError, RetryableError
from shared.store import first_form_ids
from shared.store.builtin_ports import MongoFiles
from tests.first_form_setup import (
    BOT,
    CHANNEL,
    CLOSED,
    MANAGER,
    NOW,
    FirstFormRig,
    comment,
    first_form_rig,
    task,
)


@pytest.fixture
async def rig(db: Any) -> AsyncIterator[FirstFormRig]:
    async with first_form_rig(db) as made:
        yield made


async def ff_task_of(rig: FirstFormRig, task_id: str = "t1") -> int:
    return await rig.ff_task_of(task_id)


# ---- tasks ----------------------------------------------------------------------------------


async def test_a_new_task_is_created_in_the_category_with_its_fields_contact_and_state(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    [created] = rig.ff_tasks()
    assert created.ext == {501: "60001", 502: "79011112233", 503: "79011112233", 504: CHANNEL}
    assert rig.world.states_of(1001)[created.state_id] == BOT
    assert await ff_task_of(rig) == created.id
    assert (await rig.system.get_task("t1")) is not None


async def test_creating_the_same_task_again_creates_nothing_more(rig: FirstFormRig) -> None:
    await rig.system.create_task(task())
    await rig.system.create_task(task())
    assert len(rig.ff_tasks()) == 1
    assert len(await rig.requests("/api/tasks/create")) == 1


async def test_a_creation_whose_answer_was_lost_is_found_by_the_chat_field_not_repeated(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=502, path="/api/tasks/create",
                                      after_effect=True))
    with pytest.raises(RetryableError):
        await rig.system.create_task(task())
    assert len(rig.ff_tasks()) == 1  # it took effect; we did not learn its id
    await rig.system.create_task(task())  # the redelivered command
    [only] = rig.ff_tasks()
    assert await ff_task_of(rig) == only.id
    assert len(await rig.requests("/api/tasks/create")) == 1


async def test_a_creation_that_failed_before_any_effect_is_made_on_the_next_attempt(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=500, path="/api/tasks/create"))
    with pytest.raises(RetryableError) as refused:
        await rig.system.create_task(task())
    assert refused.value.code == "FIRST_FORM_500"
    assert rig.ff_tasks() == []
    await rig.system.create_task(task())
    assert len(rig.ff_tasks()) == 1
    assert len(await rig.requests("/api/tasks/create")) == 2


async def test_unavailable_first_form_is_asked_again_at_once_even_for_a_creation(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=503, path="/api/tasks/create",
                                      retry_after=2))
    await rig.system.create_task(task())  # 503 says it was not done: safe to repeat
    assert rig.sleeps.taken == [2.0] and len(rig.ff_tasks()) == 1


async def test_a_comment_creates_its_task_in_first_form_when_the_task_is_behind(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=500, path="/api/tasks/create"))
    with pytest.raises(RetryableError):
        await rig.system.create_task(task())  # recorded here, not yet in First Form
    await rig.system.add_comment(comment("c1"))  # does not wait for OpenTask's retry
    [ff] = rig.ff_tasks()
    assert [c.task_id for c in rig.ff_comments()] == [ff.id]
    assert rig.world.states_of(1001)[ff.state_id] == BOT
    await rig.system.create_task(task())  # OpenTask's retry finds it done
    assert len(rig.ff_tasks()) == 1


async def test_the_previous_closed_task_of_the_chat_is_never_adopted(rig: FirstFormRig) -> None:
    await rig.system.create_task(task("t1"))
    await rig.system.update_task("t1", NOW, fields={"status": CLOSED})
    rig.world.failures.append(Failure(count=1, status=500, path="/api/tasks/create",
                                      after_effect=True))
    with pytest.raises(RetryableError):
        await rig.system.create_task(task("t2"))
    await rig.system.create_task(task("t2"))
    assert len(rig.ff_tasks()) == 2
    assert await ff_task_of(rig, "t2") != await ff_task_of(rig, "t1")


async def test_a_lost_creation_is_adopted_only_by_its_chat_and_channel_values(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=502, path="/api/tasks/create",
                                      after_effect=True))
    with pytest.raises(RetryableError):
        await rig.system.create_task(task())
    [lost] = rig.ff_tasks()
    lost.ext[504] = "another-channel"  # the same chat id on another number: not ours
    await rig.system.create_task(task())
    assert len(rig.ff_tasks()) == 2 and await ff_task_of(rig) != lost.id


async def test_search_rows_without_the_chat_values_are_refused_not_adopted_or_doubled(
    rig: FirstFormRig,
) -> None:
    rig.world.failures.append(Failure(count=1, status=502, path="/api/tasks/create",
                                      after_effect=True))
    with pytest.raises(RetryableError):
        await rig.system.create_task(task())
    [lost] = rig.ff_tasks()
    del lost.ext[504]  # the row cannot show the channel: we cannot tell whose task it is
    with pytest.raises(PermanentError) as refused:
        await rig.system.create_task(task())
    assert refused.value.code == "FIRST_FORM_UNCONFIRMED_TASK"
    assert len(rig.ff_tasks()) == 1
    assert (await first_form_ids.get(rig.db, "task", "t1") or lost).ff_id is None


async def test_hand_over_sets_the_state_and_the_performer_in_first_form(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    updated = await rig.system.update_task("t1", NOW, fields={
        "status": MANAGER, "assignee_user_id": "usr-ivanova"}, if_status_in=[BOT, MANAGER])
    assert updated is not None and updated.assignee_user_id == "usr-ivanova"
    [ff] = rig.ff_tasks()
    assert (rig.world.states_of(1001)[ff.state_id], ff.performers) == (MANAGER, [101])
    await rig.system.update_task("t1", NOW, fields={"assignee_group_id": "grp-contact-centre"},
                                 unset=("assignee_user_id",))
    assert (ff.performers, ff.groups) == ([], [7])


async def test_an_unmapped_user_is_refused_and_changes_nothing(rig: FirstFormRig) -> None:
    await rig.system.create_task(task())
    with pytest.raises(PermanentError) as refused:
        await rig.system.update_task("t1", NOW, fields={"assignee_user_id": "usr-nobody"})
    assert refused.value.code == "FIRST_FORM_UNMAPPED_USER"
    found = await rig.system.get_task("t1")
    assert found is not None and found.assignee_user_id is None


async def test_a_failed_precondition_sends_nothing_to_first_form(rig: FirstFormRig) -> None:
    await rig.system.create_task(task(status=CLOSED))
    before = len(await rig.requests("wa-state"))
    assert await rig.system.update_task("t1", NOW, fields={"status": MANAGER},
                                        if_status_in=[BOT, MANAGER]) is None
    assert len(await rig.requests("wa-state")) == before


# ---- comments -------------------------------------------------------------------------------


async def test_a_customer_message_is_a_comment_by_the_robot_with_our_marker(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    assert await rig.system.add_comment(comment("c" * 32)) is True
    [posted] = rig.ff_comments()
    assert (posted.author_id, posted.text) == (10, "Здравствуйте\n[wa:cccccccccccc]")
    assert await rig.system.add_comment(comment("c" * 32)) is False
    assert len(rig.ff_comments()) == 1


async def test_a_notice_in_the_chat_is_kept_here_and_not_posted_to_first_form(
    rig: FirstFormRig,
) -> None:
    # First Form records hand-overs and status changes itself: our notice would double them
    await rig.system.create_task(task())
    note = comment("d" * 32, direction="out", author_kind="system", content_type=NOTICE,
                   text="Статус: Диалог с менеджером → Закрыта (Петров Иван)")
    assert await rig.system.add_comment(note) is True
    assert rig.ff_comments() == []
    assert await rig.system.get_comment(note.id) is not None


async def test_a_group_participant_writes_as_the_group_bot_with_their_name(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    await rig.system.add_comment(comment("p1", "всем привет", author_kind="participant",
                                         sender_name="Анна"))
    await rig.system.add_comment(comment("p2", "я тоже тут", author_kind="participant",
                                         author_user_id="usr-petrov"))
    first, second = rig.ff_comments()
    assert (first.author_id, first.text.split("\n")[0]) == (11, "Анна: всем привет")
    assert (second.author_id, second.text.split("\n")[0]) == (102, "я тоже тут")


async def test_a_comment_whose_answer_was_lost_is_found_by_its_marker_not_doubled(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    rig.world.failures.append(Failure(count=1, status=504, path="wa-comment",
                                      after_effect=True))
    with pytest.raises(RetryableError) as lost:
        await rig.system.add_comment(comment("c1"))
    assert lost.value.code == "FIRST_FORM_504"
    assert await rig.system.get_comment("c1") is None
    assert await rig.system.add_comment(comment("c1")) is True
    assert len(rig.ff_comments()) == 1
    link = await first_form_ids.get(rig.db, "comment", "c1")
    assert link is not None and link.ff_id == rig.ff_comments()[0].id


async def test_a_comment_before_its_task_is_recorded_waits(rig: FirstFormRig) -> None:
    with pytest.raises(RetryableError) as early:
        await rig.system.add_comment(comment("c1"))
    assert early.value.code == "TASK_NOT_YET_CREATED"


async def test_a_quoted_reply_is_posted_in_the_thread_of_the_quoted_comment(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    await rig.system.add_comment(comment("c1", "вопрос"))
    await rig.system.add_comment(comment("c2", "уточнение", reply_to_comment_id="c1"))
    first, second = rig.ff_comments()
    assert second.thread_id == first.id


async def test_a_customer_file_is_posted_with_its_comment_once_it_is_stored(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    content = b"%PDF-1.4 " + bytes(range(256)) * 40
    await rig.system.add_attachment(AttachmentRecord(
        id="f1", comment_id="c1", task_id="t1", file_name="act.pdf",
        mime_type="application/pdf", state="pending"))
    await rig.system.add_comment(comment("c1", "вот акт", content_type="document"))
    assert rig.ff_comments() == []  # the file is still being fetched from the gateway
    await MongoFiles(rig.db).put("f1", "act.pdf", "application/pdf", content)
    assert await rig.system.set_attachment_state("f1", "stored", size=len(content))
    [posted] = rig.ff_comments()
    [file_id] = posted.file_ids
    assert rig.world.files[file_id].content == content
    assert rig.world.files[file_id].name == "act.pdf"


async def test_a_file_that_could_not_be_fetched_is_named_in_the_comment(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    await rig.system.add_attachment(AttachmentRecord(
        id="f1", comment_id="c1", task_id="t1", file_name="photo.jpg", mime_type="image/jpeg",
        state="pending"))
    await rig.system.add_comment(comment("c1", ""))
    await rig.system.set_attachment_state("f1", "failed", reason="gone")
    [posted] = rig.ff_comments()
    assert "(файл не получен: photo.jpg)" in posted.text and posted.file_ids == []


# ---- authentication and refusals ------------------------------------------------------------


async def test_an_expired_token_gets_one_new_login_and_the_call_succeeds(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    assert rig.world.logins == 1
    rig.world.tokens.clear()  # the server forgot it: the next call answers 401
    await rig.system.add_comment(comment("c1"))
    assert rig.world.logins == 2 and len(rig.ff_comments()) == 1


async def test_a_token_is_renewed_before_it_expires(rig: FirstFormRig) -> None:
    await rig.system.create_task(task())
    rig.clock.now += rig.opts.token_ttl_s - 60  # within the last tenth of its life
    await rig.system.add_comment(comment("c1"))
    assert rig.world.logins == 2
    assert [r for r in await rig.requests() if r["response_status"] == 401] == []


async def test_a_401_after_a_new_login_is_an_error_not_a_loop(rig: FirstFormRig) -> None:
    rig.world.failures.append(Failure(count=5, status=401, path="/api/tasks/create"))
    with pytest.raises(RetryableError) as refused:
        await rig.system.create_task(task())
    assert refused.value.code == "FIRST_FORM_UNAUTHORIZED"
    assert len(await rig.requests("/api/tasks/create")) == 2
    assert rig.world.logins == 2


async def test_rate_limited_calls_wait_as_told_and_go_through(rig: FirstFormRig) -> None:
    rig.world.failures.append(Failure(count=2, status=429, path="/subcategory/",
                                      retry_after=3))
    await rig.system.create_task(task())
    assert rig.sleeps.taken == [3.0, 3.0]
    assert len(rig.ff_tasks()) == 1


async def test_first_form_down_fails_the_round_retryably_and_loses_nothing(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    ff_task = await ff_task_of(rig)
    rig.world.add_comment(ff_task, 101, "ответ", None, [])
    rig.world.failures.append(Failure(count=3, status=503, path="/feeds/task/",
                                      retry_after=1))
    assert (await rig.system.pick_up()).comments == []
    assert rig.sleeps.taken == [1.0, 1.0]  # two tries more, as told, then the round ends
    [picked] = (await rig.system.pick_up()).comments
    assert picked.text == "ответ"


async def test_a_wrong_password_is_a_visible_retryable_error(db: Any) -> None:
    async with first_form_rig(db, FIRST_FORM_PASSWORD="wrong") as rig:
        with pytest.raises(RetryableError) as refused:
            await rig.system.create_task(task())
        assert refused.value.code == "FIRST_FORM_LOGIN_REFUSED"
        assert rig.ff_tasks() == []


async def test_files_leave_without_their_contents_in_the_recorded_requests(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    await rig.system.add_attachment(AttachmentRecord(
        id="f1", comment_id="c1", task_id="t1", file_name="a.bin",
        mime_type="application/octet-stream", state="pending"))
    await rig.system.add_comment(comment("c1", "файл"))
    await MongoFiles(rig.db).put("f1", "a.bin", "application/octet-stream", b"x" * 100)
    await rig.system.set_attachment_state("f1", "stored", size=100)
    [upload] = await rig.requests("/preupload/")
    [login] = await rig.requests("/token-v2")
    assert upload["json"]["fileData"] == "<100 bytes>"
    assert login["json"]["password"] == "***"
    sha = hashlib.sha256(b"x" * 100).hexdigest()
    [posted] = rig.ff_comments()
    assert hashlib.sha256(rig.world.files[posted.file_ids[0]].content).hexdigest() == sha


async def test_a_creation_held_by_another_attempt_is_retried_once_its_claim_lapses(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    # an attempt in a process killed 20 s ago holds the claim for its last 10 s: nobody
    # renewed it since, so the message is asked again when it lapses
    lease = rig.system.poster._lease_s
    await first_form_ids.claim(rig.db, "comment", "c1",
                               datetime.now(UTC) - timedelta(seconds=lease - 10), lease, "t1")
    with pytest.raises(RetryableError) as busy:
        await rig.system.add_comment(comment("c1"))
    assert busy.value.code == "FIRST_FORM_BUSY"
    assert busy.value.retry_after is not None and 9 < busy.value.retry_after <= 11
    assert rig.ff_comments() == []


async def test_a_live_attempts_claim_is_renewed_while_it_runs_so_no_other_overtakes_it(
    rig: FirstFormRig, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await rig.system.create_task(task())
    poster = rig.system.poster
    poster._lease_s = 0.5  # a killed holder's claim lapses after this; a live one is renewed
    post, overtaken = poster._post_comment, []

    async def slow(*args: Any) -> int:
        await asyncio.sleep(1.6)  # three claims' time
        overtaken.append(await first_form_ids.claim(rig.db, "comment", "c1", datetime.now(UTC),
                                                    0.5, "t1"))
        return await post(*args)

    monkeypatch.setattr(poster, "_post_comment", slow)
    await rig.system.add_comment(comment("c1"))
    assert overtaken == [None]
    assert len(rig.ff_comments()) == 1


async def test_a_creation_a_live_attempt_just_claimed_is_asked_again_soon(
    rig: FirstFormRig,
) -> None:
    await rig.system.create_task(task())
    lease = rig.system.poster._lease_s
    await first_form_ids.claim(rig.db, "comment", "c1", datetime.now(UTC), lease, "t1")
    with pytest.raises(RetryableError) as busy:
        await rig.system.add_comment(comment("c1"))
    assert (busy.value.code, busy.value.retry_after) == ("FIRST_FORM_BUSY", None)
