"""Wazzup account administration over its v3 API: channels, and the webhook address."""

from __future__ import annotations

from typing import Any

import aiohttp
import msgspec

from shared.config import Common

SUBSCRIPTIONS = ("messagesAndStatuses", "contactsAndDealsCreation", "channelsUpdates",
                 "templateStatus")


class WazzupAdminSettings(Common, kw_only=True, frozen=True, rename="upper"):
    wazzup_api_url: str = "https://api.wazzup24.com"
    wazzup_api_key: str


class WazzupError(Exception):
    """Wazzup answered with an error: its HTTP status, code and description."""


class WazzupAdmin:
    def __init__(self, settings: WazzupAdminSettings) -> None:
        self._base = settings.wazzup_api_url.rstrip("/") + "/v3"
        self._headers = {"Authorization": f"Bearer {settings.wazzup_api_key}"}

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=45)) as session:
            try:
                async with session.request(method, self._base + path, json=body,
                                           headers=self._headers) as resp:
                    raw = await resp.read()
                    status = resp.status
            except aiohttp.ClientError as exc:
                raise WazzupError(f"cannot reach {self._base}: {exc}") from exc
        answer: Any = None
        if raw:
            try:
                answer = msgspec.json.decode(raw)
            except msgspec.DecodeError:
                answer = raw.decode("utf-8", "replace")
        if status >= 400:
            if isinstance(answer, dict):
                code, text = answer.get("error", ""), answer.get("description", "")
                raise WazzupError(f"HTTP {status} {code}: {text} {answer.get('data', '')}".strip())
            raise WazzupError(f"HTTP {status}: {answer or 'empty answer'}")
        return answer

    async def channels(self) -> Any:
        """The account's channels: id, transport, number and state."""
        return await self._call("GET", "/channels")

    async def webhooks(self) -> dict[str, Any]:
        answer = await self._call("GET", "/webhooks")
        if not isinstance(answer, dict):
            return {"raw": answer}
        subs = answer.get("subscriptions") or {}
        if "wabaTemplatesStatus" in subs:  # seen on live accounts instead of templateStatus
            subs.setdefault("templateStatus", subs.pop("wabaTemplatesStatus"))
        # the documentation shows "true"/"false" strings; live accounts send booleans
        answer["subscriptions"] = {k: v in (True, "true") for k, v in subs.items()}
        return answer

    async def set_webhooks(self, url: str, subscriptions: list[str]) -> Any:
        """Register ``url``; Wazzup POSTs {"test": true} to it and needs a 200 back."""
        unknown = set(subscriptions) - set(SUBSCRIPTIONS)
        if unknown:
            raise WazzupError(f"unknown subscriptions {sorted(unknown)}; known: {SUBSCRIPTIONS}")
        if len(url) > 200:
            raise WazzupError("Wazzup accepts webhook addresses of at most 200 characters")
        body = {"webhooksUri": url,
                "subscriptions": {name: name in subscriptions for name in SUBSCRIPTIONS}}
        await self._call("PATCH", "/webhooks", body)
        return await self.webhooks()
