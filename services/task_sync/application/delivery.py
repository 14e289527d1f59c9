"""What became of what we sent and fetched: send results, gateway statuses, file transfers,
and the channels' states."""

from __future__ import annotations

from services.task_sync.deps import Deps
from shared import events
from shared.delivery_context import current_attempt
from shared.domain.comments import delivery_of_gateway_status
from shared.domain.files import AttachmentState
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
UNKNOWN_STATUS_ATTEMPTS = 4  # about 20 s of retries with the default backoff


def _not_yet(what: str) -> RetryableError:
    # results are consumed concurrently with the records they update and may be a moment ahead
    return RetryableError(f"{what} is not recorded yet", code="COMMENT_NOT_YET_RECORDED")


async def record_send_result(deps: Deps, event: events.SendSucceeded) -> None:
    """The gateway accepted a part of a comment: the comment is sent, with its gateway id."""
    if event.part > 0:  # a later part (a file after the text): keep its id for quotes
        if event.gateway_message_id:
            await deps.tasks.record_part_sent(event.comment_id, event.gateway_message_id,
                                              event.part)
        return
    for _ in range(2):
        if await deps.tasks.record_sent(event.comment_id, event.gateway_message_id,
                                        after_failure=event.replayed):
            return
        if not await deps.arrivals.wait(event.comment_id):
            break
    raise _not_yet(f"comment {event.comment_id} of send {event.send_id}")


async def record_send_failure(deps: Deps, event: events.SendFailed) -> None:
    """A send failed for good, or waits for a retry: the comment shows why."""
    status = "failed" if event.final else "waiting"
    for _ in range(2):
        if await deps.tasks.record_delivery(event.comment_id, status, code=event.code,
                                            reason=event.reason, retry_at=event.retry_at):
            return
        if (await deps.tasks.get_comment(event.comment_id) is None
                and not await deps.arrivals.wait(event.comment_id)):
            raise _not_yet(f"comment {event.comment_id}")
        # it exists: either the status does not move it (already further along), or it was
        # inserted just after the first try missed it; the second try tells them apart


async def record_status(deps: Deps, event: events.StatusUpdated) -> None:
    """A gateway's delivery status (sent, delivered, read, error) moves the ticks forward."""
    comment = await deps.tasks.comment_by_gateway_id(event.gateway_message_id)
    if comment is None and current_attempt() >= UNKNOWN_STATUS_ATTEMPTS:
        # by now the send result would have arrived: a message we never recorded (sent outside
        # wabridge, or accepted by Wazzup on a retry that returned no id); keep the log line
        log.warning("delivery status for a message no comment carries; dropped",
                    gateway_message_id=event.gateway_message_id, status=event.status)
        return
    if comment is None:
        # the gateway can report a status before our send result is recorded: the retry
        # (delay queue) applies it once the comment carries the id, so it is never lost
        raise RetryableError(f"no comment carries gateway message {event.gateway_message_id} "
                             "yet (its send result may still be on the way)",
                             code="MESSAGE_NOT_YET_RECORDED")
    status = delivery_of_gateway_status(event.status)
    if status is None:
        log.info("delivery status not tracked", status=event.status)
        return
    await deps.tasks.record_delivery(comment.id, status, code=event.error_code,
                                     reason=event.error_text)
    if event.pricing_category and comment.pricing_category != event.pricing_category:
        # Meta repeats it on every status; it is written once (or when it changes)
        await deps.tasks.record_pricing(comment.id, event.pricing_category)


async def record_media_stored(deps: Deps, event: events.MediaStored) -> None:
    if not await deps.tasks.set_attachment_state(event.file_id, "stored", size=event.size,
                                                 mime_type=event.mime_type):
        raise _not_yet(f"attachment {event.file_id}")


async def record_media_failure(deps: Deps, event: events.MediaFetchFailed) -> None:
    state: AttachmentState = "failed" if event.final else "waiting"
    reason = f"{event.code}: {event.reason}" if event.code else event.reason
    if not await deps.tasks.set_attachment_state(event.file_id, state, reason=reason,
                                                 retry_at=event.retry_at):
        raise _not_yet(f"attachment {event.file_id}")


async def record_channel_state(deps: Deps, event: events.ChannelUpdated) -> None:
    # the gateway's own time when it gave one: an older report never overrides a newer one
    await deps.channels.record_state(event.channel_id, event.provider, event.state,
                                     event.tier, event.at or event.occurred_at, event.transport)


async def record_webhook_seen(deps: Deps, event: events.ChannelWebhookSeen) -> None:
    """An ingest replica's newest webhook of a channel: kept when newer than the stored one."""
    await deps.channels.record_webhook(event.channel_id, event.provider, event.at)

