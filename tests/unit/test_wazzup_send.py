"""Building ``POST /v3/message`` and interpreting Wazzup's answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.errors import PermanentError, RetryableError
from shared.events import ChatRef, MediaRef, SendMessage
from shared.providers.base import GatewayAccount, OutboundMedia, SendResult
from shared.providers.wazzup import WAZZUP

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

ACCOUNT = GatewayAccount(
    api_url="https://api.wazzup24.com/", api_key="9f2c0e7a1b3d4c5e", webhook_token="tok"
)
CHAT = ChatRef(
    provider="wazzup",
    channel_id="2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59",
    chat_type="whatsapp",
    chat_id="79011112233",
)


def command(**overrides: object) -> SendMessage:
    fields: dict[str, object] = {
        "id": "send-482-1",
        "correlation_id": "corr-1",
        "occurred_at": datetime(2025, 6, 2, 12, 0, tzinfo=UTC),
        "chat": CHAT,
        "task_id": "482",
        "comment_id": "c-1",
        "text": "Task #482 created",
    }
    fields.update(overrides)
    return SendMessage(**fields)  # type: ignore[arg-type]


# ---- build_send ------------------------------------------------------------------------------


def test_send_posts_to_v3_message_without_double_slash() -> None:
    request = WAZZUP.build_send(ACCOUNT, command(), None)
    assert (request.method, request.url) == ("POST", "https://api.wazzup24.com/v3/message")


def test_send_authenticates_with_bearer_key_and_json() -> None:
    headers = WAZZUP.build_send(ACCOUNT, command(), None).headers
    assert headers["Authorization"] == "Bearer 9f2c0e7a1b3d4c5e"
    assert headers["Content-Type"] == "application/json"


def test_send_body_uses_command_id_as_crm_message_id() -> None:
    body = WAZZUP.build_send(ACCOUNT, command(clear_unanswered=False), None).json
    assert body == {
        "channelId": "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59",
        "chatType": "whatsapp",
        "chatId": "79011112233",
        "text": "Task #482 created",
        "crmMessageId": "send-482-1",
        "clearUnanswered": False,
    }


def test_send_always_states_clear_unanswered() -> None:
    body = WAZZUP.build_send(ACCOUNT, command(), None).json
    assert body is not None and body["clearUnanswered"] is True


def test_send_quotes_only_when_replying() -> None:
    plain = WAZZUP.build_send(ACCOUNT, command(), None).json
    replying = command(reply_to_gateway_message_id="6a20c7e8")
    reply = WAZZUP.build_send(ACCOUNT, replying, None).json
    assert plain is not None and "refMessageId" not in plain
    assert reply is not None and reply["refMessageId"] == "6a20c7e8"


def test_send_to_group_keeps_opaque_chat_id() -> None:
    group = ChatRef(
        provider="wazzup",
        channel_id="ch",
        chat_type="whatsgroup",
        chat_id="120363041234567890@g.us",
    )
    body = WAZZUP.build_send(ACCOUNT, command(chat=group), None).json
    assert body is not None
    assert (body["chatType"], body["chatId"]) == ("whatsgroup", "120363041234567890@g.us")


def test_file_send_carries_content_uri_and_no_text() -> None:
    media = OutboundMedia(file_name="act.pdf", mime_type="application/pdf",
                          url="https://bridge.example/files/abc?sig=1")
    body = WAZZUP.build_send(ACCOUNT, command(text="the act"), media).json
    assert body is not None
    assert body["contentUri"] == "https://bridge.example/files/abc?sig=1"
    assert "text" not in body and body["crmMessageId"] == "send-482-1"


def test_file_without_url_cannot_be_sent() -> None:
    media = OutboundMedia(file_name="act.pdf", mime_type="application/pdf", media_id="123")
    with pytest.raises(PermanentError):
        WAZZUP.build_send(ACCOUNT, command(), media)


def test_template_send_carries_template_id_and_values_without_text() -> None:
    cmd = command(template_id="6201005a-9a6f", template_values=["Ivan", "12 June"])
    body = WAZZUP.build_send(ACCOUNT, cmd, None).json
    assert body is not None
    assert (body["templateId"], body["templateValues"]) == ("6201005a-9a6f", ["Ivan", "12 June"])
    assert "text" not in body and "contentUri" not in body


# ---- media -----------------------------------------------------------------------------------


def test_wazzup_needs_no_upload() -> None:
    media = OutboundMedia(file_name="a.jpg", mime_type="image/jpeg", url="https://x/a.jpg")
    assert WAZZUP.build_media_upload(ACCOUNT, media, b"...") is None


def test_media_fetch_is_a_plain_get_without_credentials() -> None:
    request = WAZZUP.build_media_fetch(ACCOUNT, MediaRef(url="https://store.wazzup24.com/a.jpg"))
    assert (request.method, request.url, request.headers) == (
        "GET", "https://store.wazzup24.com/a.jpg", {}
    )


def test_media_fetch_200_means_the_body_is_the_file() -> None:
    media = MediaRef(url="https://store.wazzup24.com/a.jpg")
    assert WAZZUP.interpret_media_fetch(200, b"\xff\xd8", {}, media) is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_media_fetch_overload_is_retryable(status: int) -> None:
    with pytest.raises(RetryableError):
        WAZZUP.interpret_media_fetch(status, b"", {}, MediaRef(url="https://x/a"))


@pytest.mark.parametrize("status", [403, 404, 410])
def test_media_fetch_refusal_is_permanent(status: int) -> None:
    with pytest.raises(PermanentError) as caught:
        WAZZUP.interpret_media_fetch(status, b"", {}, MediaRef(url="https://x/a"))
    assert caught.value.code == f"HTTP_{status}"


# ---- interpret_send --------------------------------------------------------------------------


def test_201_returns_the_gateway_message_id() -> None:
    body = b'{"messageId": "3f1e9c2a-7b4d-4e8a-9c55-0d2b6a1f7e10", "chatId": "79011112233"}'
    result = WAZZUP.interpret_send(201, body, {})
    assert result == SendResult(gateway_message_id="3f1e9c2a-7b4d-4e8a-9c55-0d2b6a1f7e10")


@pytest.mark.parametrize("body", [b"", b"{ ok }", b"{}"])
def test_2xx_without_message_id_is_accepted_without_id(body: bytes) -> None:
    assert WAZZUP.interpret_send(200, body, {}) == SendResult(gateway_message_id=None)


@pytest.mark.parametrize("code", ["REPEATED_CRM_MESSAGE_ID", "repeatedCrmMessageId"])
def test_repeated_crm_message_id_means_already_sent(code: str) -> None:
    body = f'{{"status": 400, "error": "{code}", "description": "Repeated crmMessageId"}}'
    result = WAZZUP.interpret_send(400, body.encode(), {})
    assert result == SendResult(gateway_message_id=None, already_sent=True)


def test_429_with_retry_after_waits_that_long() -> None:
    with pytest.raises(RetryableError) as caught:
        WAZZUP.interpret_send(429, b"", {"retry-after": "2"})
    assert (caught.value.code, caught.value.retry_after) == ("RATE_LIMITED", 2.0)


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}])
def test_429_without_numeric_retry_after_waits_the_5_second_window(
    headers: dict[str, str],
) -> None:
    with pytest.raises(RetryableError) as caught:
        WAZZUP.interpret_send(429, b"Too Many Requests", headers)
    assert (caught.value.code, caught.value.retry_after) == ("RATE_LIMITED", 5.0)


def test_500_is_retryable_with_wazzup_code() -> None:
    body = b'{"status": 500, "error": "UNKNOWN_ERROR", "description": "Unknown error"}'
    with pytest.raises(RetryableError) as caught:
        WAZZUP.interpret_send(500, body, {})
    assert caught.value.code == "UNKNOWN_ERROR"
    assert "Unknown error" in caught.value.reason


def test_502_html_is_retryable_with_http_code() -> None:
    with pytest.raises(RetryableError) as caught:
        WAZZUP.interpret_send(502, b"<html>Bad Gateway</html>", {})
    assert caught.value.code == "HTTP_502" and "502" in caught.value.reason


@pytest.mark.parametrize("code", ["MESSAGE_CHANNEL_UNAVAILABLE", "CHANNEL_LIMIT_EXCEEDED",
                                  "MESSAGE_DOWNLOAD_CONTENT_ERROR"])
def test_temporary_channel_refusal_is_retryable(code: str) -> None:
    with pytest.raises(RetryableError) as caught:
        WAZZUP.interpret_send(400, f'{{"error": "{code}"}}'.encode(), {})
    assert caught.value.code == code


def test_invalid_message_data_is_permanent_with_code_and_fields() -> None:
    body = (
        b'{"status": 400, "requestId": "a1b2", "error": "INVALID_MESSAGE_DATA",'
        b' "description": "Message data is invalid", "data": {"fields": ["channelId"]}}'
    )
    with pytest.raises(PermanentError) as caught:
        WAZZUP.interpret_send(400, body, {})
    assert caught.value.code == "INVALID_MESSAGE_DATA"
    assert "Message data is invalid" in caught.value.reason
    assert "channelId" in caught.value.reason


def test_empty_404_is_permanent_naming_the_status() -> None:
    with pytest.raises(PermanentError) as caught:
        WAZZUP.interpret_send(404, b"", {})
    assert caught.value.code == "HTTP_404" and "404" in caught.value.reason


@pytest.mark.parametrize(("status", "body"), [(401, b'{"error":"UNAUTHORIZED"}'), (403, b"")])
def test_auth_refusal_is_permanent(status: int, body: bytes) -> None:
    with pytest.raises(PermanentError) as caught:
        WAZZUP.interpret_send(status, body, {})
    assert caught.value.code in {"UNAUTHORIZED", "HTTP_403"}
    assert str(status) in caught.value.reason


def test_the_channel_list_reports_each_channels_state_and_transport() -> None:
    body = (b'[{"channelId": "c1", "transport": "whatsapp", "plainId": "7999", "state": "active"},'
            b' {"channelId": "c2", "transport": "wapi", "state": "qrIdle"}]')
    listed = WAZZUP.interpret_channel_list(200, body, {}, NOW)
    assert [(c.channel_id, c.state, c.transport) for c in listed] == [
        ("c1", "active", "whatsapp"), ("c2", "qridle", "wapi")]


def test_a_refused_channel_list_raises_like_a_send() -> None:
    with pytest.raises(RetryableError):
        WAZZUP.interpret_channel_list(503, b"", {}, NOW)
    with pytest.raises(PermanentError):
        WAZZUP.interpret_channel_list(401, b'{"error": "UNAUTHORIZED"}', {}, NOW)
