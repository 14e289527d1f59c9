"""Comments on MongoDB (or the stand-in): dedupe, order, forward-only delivery status, parking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import events
from shared.store import comments
from shared.store.comments import Comment

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def comment(comment_id: str, *, task_id: str = "t1", at: datetime = NOW,
            **overrides: Any) -> Comment:
    fields: dict[str, Any] = {
        "id": comment_id, "task_id": task_id, "order": comments.order_of(at), "at": at,
        "author_kind": "customer", "direction": "in", "text": f"text of {comment_id}",
    }
    return Comment(**(fields | overrides))


def outgoing(comment_id: str, **overrides: Any) -> Comment:
    """A bot or manager message waiting to be sent, as task-sync records it."""
    return comment(comment_id, author_kind="bot", direction="out", send_id=f"send-{comment_id}",
                   delivery="queued", delivery_rank=0, **overrides)


def status(gateway_message_id: str, value: str, n: int = 0) -> events.StatusUpdated:
    return events.StatusUpdated(
        id=f"st-{gateway_message_id}-{value}-{n}", correlation_id="corr", occurred_at=NOW,
        provider="wazzup", gateway_message_id=gateway_message_id, status=value)


async def delivery_of(db: Any, comment_id: str) -> str | None:
    stored = await comments.get(db, comment_id)
    assert stored is not None
    return stored.delivery


@pytest.fixture
async def db(db: Any) -> Any:
    await comments.ensure_indexes(db)
    return db


# ---- recording ------------------------------------------------------------------------------


async def test_inserted_comment_reads_back_unchanged(db: Any) -> None:
    recorded = comment("c1", gateway_message_id="gw-1", sender_name="Anna")
    assert await comments.insert(db, recorded) is True
    assert await comments.get(db, "c1") == recorded
    assert await comments.by_gateway_id(db, "gw-1") == recorded


async def test_inserting_the_same_comment_again_returns_false_and_keeps_the_first(
    db: Any,
) -> None:
    await comments.insert(db, comment("c1", text="first"))
    assert await comments.insert(db, comment("c1", text="again")) is False
    stored = await comments.get(db, "c1")
    assert stored is not None and stored.text == "first"


async def test_second_comment_with_the_same_gateway_message_id_is_refused(db: Any) -> None:
    await comments.insert(db, comment("c1", gateway_message_id="gw-1"))
    assert await comments.insert(db, comment("c2", gateway_message_id="gw-1")) is False
    assert await comments.get(db, "c2") is None


async def test_comments_without_gateway_message_id_do_not_collide(db: Any) -> None:
    assert await comments.insert(db, comment("c1")) is True
    assert await comments.insert(db, comment("c2")) is True


# ---- order ----------------------------------------------------------------------------------


async def test_of_task_keeps_order_within_one_millisecond(db: Any) -> None:
    # ids sort against the order, and BSON dates cannot tell these times apart
    times = [NOW + timedelta(microseconds=n) for n in (1, 2, 3)]
    for comment_id, at in reversed(list(zip(("z", "y", "x"), times, strict=True))):
        await comments.insert(db, comment(comment_id, at=at))

    assert [c.id for c in await comments.of_task(db, "t1")] == ["z", "y", "x"]


async def test_of_task_lists_only_that_task(db: Any) -> None:
    await comments.insert(db, comment("c1", task_id="t1"))
    await comments.insert(db, comment("c2", task_id="t2"))
    assert [c.id for c in await comments.of_task(db, "t1")] == ["c1"]


def test_order_of_grows_with_each_microsecond() -> None:
    orders = [comments.order_of(NOW + timedelta(microseconds=n)) for n in range(1000)]
    assert orders == sorted(set(orders))


# ---- delivery status ------------------------------------------------------------------------


async def test_delivery_moves_forward_through_sent_delivered_read(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    assert await comments.record_sent(db, "c1", "gw-1") is True
    assert await delivery_of(db, "c1") == "sent"
    assert await comments.record_delivery(db, "c1", "delivered") is not None
    assert await delivery_of(db, "c1") == "delivered"
    read = await comments.record_delivery(db, "c1", "read")
    assert read is not None and read.delivery == "read"


async def test_late_sent_never_undoes_read(db: Any) -> None:
    await comments.insert(db, outgoing("c1", gateway_message_id="gw-1"))
    await comments.record_delivery(db, "c1", "read")

    assert await comments.record_sent(db, "c1", "gw-1") is True
    assert await delivery_of(db, "c1") == "read"


async def test_late_delivered_after_read_does_not_apply(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_delivery(db, "c1", "read")
    assert await comments.record_delivery(db, "c1", "delivered") is None
    assert await delivery_of(db, "c1") == "read"


async def test_failed_after_read_does_not_apply(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_delivery(db, "c1", "read")

    assert await comments.record_delivery(db, "c1", "failed", code="E1",
                                          reason="late error") is None
    stored = await comments.get(db, "c1")
    assert stored is not None and (stored.delivery, stored.failure_code) == ("read", None)


async def test_failed_after_delivered_does_not_apply(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_delivery(db, "c1", "delivered")
    assert await comments.record_delivery(db, "c1", "failed", reason="late error") is None
    assert await delivery_of(db, "c1") == "delivered"


async def test_failed_after_sent_applies_with_its_reason(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_sent(db, "c1", "gw-1")

    failed = await comments.record_delivery(db, "c1", "failed", code="E1", reason="blocked")
    assert failed is not None
    assert (failed.delivery, failed.failure_code, failed.failure_reason) == (
        "failed", "E1", "blocked")


async def test_waiting_applies_while_queued(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    waiting = await comments.record_delivery(db, "c1", "waiting", code="RATE_LIMITED",
                                             reason="gateway busy")
    assert waiting is not None
    assert (waiting.delivery, waiting.failure_code) == ("waiting", "RATE_LIMITED")


async def test_waiting_does_not_apply_once_sent(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_sent(db, "c1", "gw-1")
    assert await comments.record_delivery(db, "c1", "waiting", reason="retry") is None
    assert await delivery_of(db, "c1") == "sent"


async def test_sent_after_waiting_clears_the_failure_details(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_delivery(db, "c1", "waiting", code="RATE_LIMITED", reason="busy")

    await comments.record_sent(db, "c1", "gw-1")
    stored = await comments.get(db, "c1")
    assert stored is not None
    assert (stored.delivery, stored.failure_code, stored.failure_reason) == ("sent", None, None)


async def test_record_sent_of_unknown_comment_returns_false(db: Any) -> None:
    assert await comments.record_sent(db, "nope", "gw-1") is False
    assert await db.comments.count_documents({}) == 0


async def test_record_sent_stores_the_gateway_id_for_status_lookups(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_sent(db, "c1", "gw-1")
    found = await comments.by_gateway_id(db, "gw-1")
    assert found is not None and found.id == "c1"


async def test_record_sent_keeps_the_gateway_id_when_status_is_already_further(db: Any) -> None:
    await comments.insert(db, outgoing("c1"))
    await comments.record_delivery(db, "c1", "delivered")

    assert await comments.record_sent(db, "c1", "gw-1") is True
    found = await comments.by_gateway_id(db, "gw-1")
    assert found is not None and (found.id, found.delivery) == ("c1", "delivered")


# ---- outbox -------------------------------------------------------------


async def test_cleared_outbox_comment_is_no_longer_pending(db: Any) -> None:
    await comments.insert(db, outgoing("c1", outbox=True))
    await comments.insert(db, outgoing("c2", outbox=True))
    await comments.clear_outbox(db, ["c1"])

    pending = await comments.pending_outbox(db, NOW + timedelta(seconds=1))
    assert [c.id for c in pending] == ["c2"]


async def test_pending_outbox_is_exact_to_the_microsecond_and_sees_a_resend(db: Any) -> None:
    await comments.insert(db, outgoing("c1", outbox=True))
    await comments.insert(db, outgoing("c2", at=NOW + timedelta(milliseconds=500), outbox=True))
    await comments.insert(db, outgoing("c3"))
    await comments.record_delivery(db, "c3", "failed", code="E", reason="refused")
    assert await comments.reset_for_resend(db, "c3", "attempt-2")  # flagged by $set

    pending = await comments.pending_outbox(db, NOW + timedelta(milliseconds=250))
    assert sorted(c.id for c in pending) == ["c1", "c3"]
    later = await comments.pending_outbox(db, NOW + timedelta(seconds=1))
    assert sorted(c.id for c in later) == ["c1", "c2", "c3"]


class _InsertedDuringTheCheck:
    """The comments collection, where the comment gets inserted right after the first
    send-result update missed it (the send result outran the comment)."""

    def __init__(self, real: Any, late: Comment) -> None:
        self._real, self._late, self._inserted = real, late, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        if not self._inserted:
            self._inserted = True
            await self._real.insert_one(comments.to_doc(self._late))
        return await self._real.find_one(*args, **kwargs)


class _RacyDb:
    def __init__(self, db: Any, late: Comment) -> None:
        self.comments = _InsertedDuringTheCheck(db.comments, late)
        self.gateway_refs = db.gateway_refs


async def test_a_send_result_is_kept_when_the_comment_is_inserted_during_the_check(
        db: Any) -> None:
    racy = _RacyDb(db, outgoing("c1"))

    assert await comments.record_sent(racy, "c1", "gw-1") is True  # type: ignore[arg-type]

    stored = await comments.get(db, "c1")
    assert stored is not None
    assert (stored.delivery, stored.gateway_message_id) == ("sent", "gw-1")
