"""Downloading a file a send points at, the way the gateways do: GET, no redirects followed."""

from __future__ import annotations

import base64
import binascii
import hashlib

import aiohttp

from services.sandbox.state import Fetched

# Wazzup's API refuses content over 10 MB; the sandbox stops reading there for every dialect.
MAX_FETCH_BYTES = 10 * 1024 * 1024


async def fetch_like_gateway(session: aiohttp.ClientSession, url: str) -> Fetched:
    """Status, sha256 and size of what ``url`` serves (status 0 when nothing answered)."""
    if url.startswith("data:"):
        return _data_uri(url)
    try:
        async with session.get(url, allow_redirects=False) as answer:
            status = answer.status
            content = bytearray()
            # read to the end (a single read returns only what has arrived so far), but stop
            # past the limit like the gateway does
            async for chunk in answer.content.iter_chunked(64 * 1024):
                content += chunk
                if len(content) > MAX_FETCH_BYTES:
                    break
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return Fetched(status=0)
    return Fetched(status=status, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def too_big(fetched: Fetched) -> bool:
    return fetched.size is not None and fetched.size > MAX_FETCH_BYTES


def _data_uri(url: str) -> Fetched:
    # chat-api's sendFile also takes `data:<mime>;base64,<bytes>`.
    head, _, data = url.partition(",")
    if not head.endswith(";base64"):
        return Fetched(status=0)
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return Fetched(status=0)
    return Fetched(status=200, sha256=hashlib.sha256(content).hexdigest(), size=len(content))
