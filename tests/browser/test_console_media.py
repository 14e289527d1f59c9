"""Media messages in the chat read in the console's language: the task keeps the English
placeholder ("[image] caption") for API clients and First Form, the manager reads «Изображение»
(or "Image") followed by the caption, in the message and wherever it is quoted."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Console, handed_over, open_chat
from tests.browser.screenshots import png
from tests.browser.test_console import comment_where
from tests.e2e.conftest import System, new_chat


async def photo_from(system: System, phone: str, caption: str) -> None:
    async with system.http.post(system.url("sandbox", "/sandbox/media"), data=png(120, 80),
                                params={"filename": "photo.png"},
                                headers={"Content-Type": "image/png"}) as resp:
        media = await resp.json()
    await system.inbound(phone, caption, media_id=media["id"], content_type="image")


async def test_a_photo_reads_as_a_localized_label_and_its_caption_while_stored_in_english(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await photo_from(system, phone, "Фото накладной")
    # a customer typing the placeholder into a text message reads it as typed
    await system.inbound(phone, "[image] это просто текст")
    stored = await comment_where(system, task["id"], lambda c: c.get("content_type") == "image",
                                 "the photo's comment")
    assert stored["text"] == "[image] Фото накладной"  # what API clients keep reading
    await comment_where(system, task["id"], lambda c: "просто текст" in c["text"], "the text")
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    photo = page.locator(".msg.in .text", has_text="Фото накладной")
    await expect(photo).to_have_text("Изображение Фото накладной")
    await expect(photo.locator(".media-kind")).to_have_text("Изображение")
    await expect(page.locator(".msg.in .text", has_text="это просто текст")).to_have_text(
        "[image] это просто текст")
    # quoted, it reads the same: in the composer while answering, and above the answer
    await page.locator(".msg.in", has_text="Фото накладной").locator(".reply-btn").click()
    await expect(page.locator(".replying q")).to_have_text("Изображение Фото накладной")
    await page.locator("form.composer textarea").fill("Спасибо, получили")
    await page.locator("form.composer textarea").press("Enter")
    answer = page.locator(".msg.out", has_text="Спасибо, получили")
    await expect(answer.locator(".quote-text")).to_have_text("Изображение Фото накладной")
    await console.shot("media-ru")
    await page.get_by_label("Язык интерфейса").select_option("en")
    await expect(photo).to_have_text("Image Фото накладной")
    await console.shot("media-en")
