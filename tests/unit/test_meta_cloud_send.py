"""Meta Cloud API calls: building sends, uploads and media fetches, and reading the answers."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from shared.errors import PermanentError, RetryableError
from shared.events import ChatRef, MediaRef, SendMessage
from shared.providers.base import GatewayAccount, OutboundMedia, SendResult
from shared.providers.meta_cloud import META
from shared.providers.meta_cloud_send import caption_allowed

PNID = "106540352242922"
ACCOUNT = GatewayAccount(
    api_url="https://graph.facebook.com/v21.0/", api_key="EAAG-token", webhook_token="t",
    sender_id=PNID,
)
CHAT = ChatRef(provider="meta", channel_id=PNID, chat_type="whatsapp", chat_id="34600111222")
IMAGE = OutboundMedia(file_name="box.jpg", mime_type="image/jpeg", media_id="1188227733665544")


def command(**overrides: object) -> SendMessage:
    fields: dict[str, object] = {
        "id": "send-1", "correlation_id": "c-1", "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "chat": CHAT, "task_id": "T-2291", "comment_id": "cm-1", "text": "Ticket opened",
    }
    fields.update(overrides)
    return SendMessage(**fields)  # type: ignore[arg-type]


def body_of(cmd: SendMessage, media: OutboundMedia | None = None) -> dict[str, object]:
    body = META.build_send(ACCOUNT, cmd, media).json
    assert body is not None
    return body


def graph_error(code: int, message: str = "oops", details: str | None = None) -> bytes:
    data = f', "error_data": {{"messaging_product": "whatsapp", "details": "{details}"}}' \
        if details else ""
    return (f'{{"error": {{"message": "{message}", "type": "OAuthException", "code": {code}'
            f'{data}, "fbtrace_id": "AbC"}}}}').encode()


# ---- build_send ------------------------------------------------------------------------------


def test_send_posts_to_the_phone_number_messages_with_bearer() -> None:
    request = META.build_send(ACCOUNT, command(), None)
    assert (request.method, request.url) == (
        "POST", f"https://graph.facebook.com/v21.0/{PNID}/messages"
    )
    assert request.headers["Authorization"] == "Bearer EAAG-token"
    assert request.headers["Content-Type"] == "application/json"


def test_text_send_body() -> None:
    assert body_of(command()) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "34600111222",
        "type": "text", "text": {"body": "Ticket opened"},
    }


def test_reply_adds_context_message_id() -> None:
    body = body_of(command(reply_to_gateway_message_id="wamid.AAA1"))
    assert body["context"] == {"message_id": "wamid.AAA1"}
    assert "context" not in body_of(command())


def test_image_is_sent_by_media_id_with_the_text_as_caption() -> None:
    body = body_of(command(text="the box"), IMAGE)
    assert (body["type"], body["image"]) == (
        "image", {"id": "1188227733665544", "caption": "the box"}
    )


def test_document_carries_its_file_name() -> None:
    pdf = OutboundMedia(file_name="Act 482.pdf", mime_type="application/pdf", media_id="77")
    body = body_of(command(text=""), pdf)
    assert (body["type"], body["document"]) == ("document", {"id": "77", "filename": "Act 482.pdf"})


@pytest.mark.parametrize(
    ("mime_type", "kind"),
    [("image/png", "image"), ("video/mp4", "video"), ("audio/ogg", "audio"),
     ("image/webp", "sticker"), ("application/zip", "document"), ("text/plain", "document")],
)
def test_message_type_is_chosen_by_mime_type(mime_type: str, kind: str) -> None:
    media = OutboundMedia(file_name="f", mime_type=mime_type, media_id="9")
    body = body_of(command(text=""), media)
    assert body["type"] == kind and body[kind] == ({"id": "9", "filename": "f"}
                                                   if kind == "document" else {"id": "9"})


def test_audio_with_text_is_refused_rather_than_losing_the_text() -> None:
    voice = OutboundMedia(file_name="v.ogg", mime_type="audio/ogg", media_id="9")
    assert not caption_allowed("audio/ogg") and caption_allowed("image/jpeg")
    with pytest.raises(PermanentError) as caught:
        META.build_send(ACCOUNT, command(text="listen"), voice)
    assert caught.value.code == "CAPTION_NOT_SUPPORTED"


def test_media_without_id_falls_back_to_link() -> None:
    hosted = OutboundMedia(file_name="a.jpg", mime_type="image/jpeg", url="https://b/a.jpg")
    assert body_of(command(text=""), hosted)["image"] == {"link": "https://b/a.jpg"}


def test_template_send_with_body_parameters_and_language() -> None:
    cmd = command(template_id="ticket_update_v2", template_values=["T-2291", "resolved"],
                  template_language="es_ES")
    body = body_of(cmd)
    assert (body["type"], body["template"]) == ("template", {
        "name": "ticket_update_v2", "language": {"code": "es_ES"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "T-2291"}, {"type": "text", "text": "resolved"}]}],
    })
    assert "text" not in body


def test_template_language_defaults_to_en_and_no_values_means_no_components() -> None:
    template = body_of(command(template_id="hello_world"))["template"]
    assert template == {"name": "hello_world", "language": {"code": "en"}}


# ---- interpret_send --------------------------------------------------------------------------


def test_200_returns_the_wamid() -> None:
    body = (b'{"messaging_product": "whatsapp", "contacts": [{"input": "34600111222", '
            b'"wa_id": "34600111222"}], "messages": [{"id": "wamid.OUT42"}]}')
    assert META.interpret_send(200, body, {}) == SendResult(gateway_message_id="wamid.OUT42")


@pytest.mark.parametrize("code", [130429, 131056, 80007])
def test_rate_limit_codes_are_retryable_with_the_code(code: int) -> None:
    with pytest.raises(RetryableError) as caught:
        META.interpret_send(400, graph_error(code, "Rate limit hit"), {})
    assert caught.value.code == str(code) and "Rate limit hit" in caught.value.reason


def test_pair_rate_limit_waits_six_seconds() -> None:
    with pytest.raises(RetryableError) as caught:
        META.interpret_send(400, graph_error(131056), {})
    assert caught.value.retry_after == 6.0


@pytest.mark.parametrize("status", [429, 500, 503])
def test_http_429_and_5xx_are_retryable(status: int) -> None:
    with pytest.raises(RetryableError) as caught:
        META.interpret_send(status, b"<html>busy</html>", {"Retry-After": "3"})
    assert caught.value.code == f"HTTP_{status}" and caught.value.retry_after == 3.0


def test_closed_window_131047_is_permanent_with_title_and_details() -> None:
    body = graph_error(131047, "Re-engagement message", "More than 24 hours have passed")
    with pytest.raises(PermanentError) as caught:
        META.interpret_send(400, body, {})
    assert caught.value.code == "131047"
    assert "Re-engagement message" in caught.value.reason and "24 hours" in caught.value.reason


@pytest.mark.parametrize(("code", "status"), [(190, 401), (131026, 400), (100, 400)])
def test_other_errors_are_permanent(code: int, status: int) -> None:
    with pytest.raises(PermanentError) as caught:
        META.interpret_send(status, graph_error(code), {})
    assert caught.value.code == str(code)


def test_error_object_in_a_200_is_still_an_error() -> None:
    with pytest.raises(PermanentError):
        META.interpret_send(200, graph_error(131051), {})


# ---- upload ----------------------------------------------------------------------------------


def parsed_form(body: bytes, content_type: str) -> EmailMessage:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    form = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    assert isinstance(form, EmailMessage)
    return form


def test_upload_is_a_multipart_post_to_media_with_bearer() -> None:
    request = META.build_media_upload(ACCOUNT, IMAGE, b"jpeg")
    assert request is not None and request.json is None and request.body is not None
    assert (request.method, request.url) == ("POST", f"https://graph.facebook.com/v21.0/{PNID}/media")
    assert request.headers["Authorization"] == "Bearer EAAG-token"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")


def test_upload_body_parses_back_to_the_fields_and_the_exact_bytes() -> None:
    content = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    media = OutboundMedia(file_name='Ana "box".jpg', mime_type="image/jpeg", media_id=None)
    request = META.build_media_upload(ACCOUNT, media, content)
    assert request is not None and request.body is not None
    form = parsed_form(request.body, request.headers["Content-Type"])
    assert form.is_multipart()
    parts = {p.get_param("name", header="content-disposition"): p for p in form.iter_parts()}
    assert list(parts) == ["messaging_product", "type", "file"]
    assert parts["messaging_product"].get_payload(decode=True) == b"whatsapp"
    assert parts["type"].get_payload(decode=True) == b"image/jpeg"
    file_part = parts["file"]
    assert file_part.get_content_type() == "image/jpeg"
    assert file_part.get_filename() == "Ana %22box%22.jpg"
    assert file_part.get_payload(decode=True) == content


def test_each_upload_gets_a_fresh_boundary() -> None:
    first = META.build_media_upload(ACCOUNT, IMAGE, b"x")
    second = META.build_media_upload(ACCOUNT, IMAGE, b"x")
    assert first is not None and second is not None
    assert first.headers["Content-Type"] != second.headers["Content-Type"]


def test_upload_answer_gives_the_media_id() -> None:
    assert META.interpret_media_upload(200, b'{"id": "1188227733665544"}', {}) == "1188227733665544"


def test_upload_answer_without_id_is_permanent() -> None:
    with pytest.raises(PermanentError):
        META.interpret_media_upload(200, b"{}", {})


def test_upload_rate_limit_is_retryable() -> None:
    with pytest.raises(RetryableError):
        META.interpret_media_upload(400, graph_error(80007), {})


# ---- media fetch -----------------------------------------------------------------------------


def test_fetch_by_media_id_looks_the_url_up_with_bearer() -> None:
    request = META.build_media_fetch(ACCOUNT, MediaRef(media_id="1188227733665544"))
    assert (request.method, request.url) == (
        "GET", "https://graph.facebook.com/v21.0/1188227733665544"
    )
    assert request.headers == {"Authorization": "Bearer EAAG-token"}


def test_fetch_of_a_looked_up_url_downloads_with_bearer() -> None:
    media = MediaRef(media_id="1", url="https://lookaside.fbsbx.com/whatsapp_business/x?mid=1")
    request = META.build_media_fetch(ACCOUNT, media)
    assert request.url == media.url and request.headers["Authorization"] == "Bearer EAAG-token"


def test_lookup_answer_becomes_the_media_ref_to_download() -> None:
    asked = MediaRef(media_id="1188227733665544", mime_type="image/jpeg", file_name="a.jpg")
    body = (b'{"url": "https://lookaside.fbsbx.com/x?mid=1", "mime_type": "image/jpeg", '
            b'"sha256": "abc", "file_size": 30345, "id": "1188227733665544", '
            b'"messaging_product": "whatsapp"}')
    assert META.interpret_media_fetch(200, body, {}, asked) == MediaRef(
        url="https://lookaside.fbsbx.com/x?mid=1", media_id="1188227733665544",
        mime_type="image/jpeg", size=30345, file_name="a.jpg",
    )


def test_download_answer_is_the_file_itself() -> None:
    media = MediaRef(media_id="1", url="https://lookaside.fbsbx.com/x")
    assert META.interpret_media_fetch(200, b"\x89PNG...", {}, media) is None


def test_lookup_without_url_is_permanent() -> None:
    with pytest.raises(PermanentError):
        META.interpret_media_fetch(200, b'{"id": "1"}', {}, MediaRef(media_id="1"))


def test_expired_media_id_is_permanent() -> None:
    with pytest.raises(PermanentError) as caught:
        META.interpret_media_fetch(400, graph_error(100, "Invalid parameter"), {},
                                   MediaRef(media_id="1"))
    assert caught.value.code == "100"


@pytest.mark.parametrize("status", [429, 500])
def test_download_overload_is_retryable(status: int) -> None:
    with pytest.raises(RetryableError):
        META.interpret_media_fetch(status, b"", {}, MediaRef(url="https://x/y"))


def test_download_404_is_permanent() -> None:
    with pytest.raises(PermanentError):
        META.interpret_media_fetch(404, b"", {}, MediaRef(url="https://x/y"))
