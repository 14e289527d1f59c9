"""The bot flows' editing records (issue 12): a key's draft, the versions' summaries and the
list of keys. Pure types; the flow set itself is ``shared.domain.flows``."""

from __future__ import annotations

import re

import msgspec

from shared.domain.flows import FlowSet

KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}")


def valid_key(key: str) -> bool:
    """A flow key is ``default`` or a channel id: short, no spaces, no slashes."""
    return KEY_PATTERN.fullmatch(key) is not None


class FlowDraft(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What an admin is editing for ``key``: saved even while it has problems.

    ``base_version``: the live version it was started from; ``updated_at``: ISO time of the
    last save, which a publish may name to refuse a draft changed since it was read."""

    key: str
    flow: FlowSet
    updated_at: str
    base_version: int | None = None
    updated_by: str | None = None


class VersionInfo(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A published version without its flow set (the history list)."""

    version: int
    published_at: str
    published_by: str | None = None
    note: str = ""


class KeyInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One flow key: its live version and whether an admin has a draft of it."""

    key: str
    live_version: int | None = None
    draft_updated_at: str | None = None


class PublishConflict(Exception):
    """Another publish of the same key came first; nothing of this one was stored."""
