"""Gateway dialects behind one contract (``base.Provider``); ``REGISTRY`` maps name to module."""

from __future__ import annotations

from shared.providers.base import Provider
from shared.providers.chat_api import CHAT_API
from shared.providers.meta_cloud import META
from shared.providers.wazzup import WAZZUP

REGISTRY: dict[str, Provider] = {p.name: p for p in (WAZZUP, META, CHAT_API)}


def get_provider(name: str) -> Provider:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; known: {', '.join(sorted(REGISTRY))}") from None
