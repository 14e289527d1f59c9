"""Typed keys of what the sandbox app holds."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from services.sandbox.settings import SandboxSettings
from services.sandbox.state import SandboxState

SETTINGS = web.AppKey("sandbox_settings", SandboxSettings)
STATE = web.AppKey("sandbox_state", SandboxState)
# Created in cleanup_ctx: used to POST webhooks to ingest and Wazzup's test POST.
HTTP = web.AppKey("sandbox_http", aiohttp.ClientSession)
