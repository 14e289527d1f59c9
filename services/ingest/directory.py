"""The one question ingest asks task-sync: which contact has this phone (for a gateway's
createContact). Bounded and optional: a slow, failing or unconfigured directory answers
"none known", and the gateway gets a new contact as before (task-sync's handler still keeps
the existing one, by phone)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import msgspec

from shared.logs import get_logger
from shared.providers.contact_requests import KnownContact

log = get_logger(__name__)
LOOKUP_TIMEOUT_S = 2.0  # Wazzup waits 30 s for the answer; the broker's confirms take up to 3
MAX_PHONES = 3


class _Found(msgspec.Struct):
    items: list[KnownContact]


_found = msgspec.json.Decoder(_Found)


class DirectoryLookup:
    """``GET <url>/api/v1/contacts?phone=`` with an API token (contacts are readable by every
    signed-in person, so any user's token will do; give it a user of its own)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str,
                 timeout_s: float = LOOKUP_TIMEOUT_S) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/api/v1/contacts"
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._timeout_s = timeout_s

    async def contact_of(self, phones: list[str]) -> KnownContact | None:
        """The directory's contact of the first of ``phones`` it knows; None when it knows
        none of them or cannot say in time."""
        try:
            async with asyncio.timeout(self._timeout_s):
                for phone in phones[:MAX_PHONES]:
                    found = await self._by_phone(phone)
                    if found is not None:
                        return found
        except (TimeoutError, aiohttp.ClientError, msgspec.DecodeError) as exc:
            log.warning("contact look-up failed: answering with a new contact",
                        reason=type(exc).__name__, detail=str(exc)[:200])
        return None

    async def _by_phone(self, phone: str) -> KnownContact | None:
        params: Any = {"phone": phone}
        async with self._session.get(self._url, params=params, headers=self._headers) as resp:
            if resp.status != 200:
                raise aiohttp.ClientResponseError(resp.request_info, (), status=resp.status,
                                                  message="the directory refused the look-up")
            found = _found.decode(await resp.read())
        return found.items[0] if found.items else None
