"""Comment texts as they travel: the marker on what we post, and a feed text made plain (pure).

First Form has no idempotency key. Every comment we post ends with a marker naming our comment
(``[wa:<12 hex digits>]``), so that after an interrupted attempt the adapter can tell from the
task's feed whether the comment is there already, and so that the feed poller never mistakes our
own comments for a person's (the loop guard the vendor recommends, reference §6).
"""

from __future__ import annotations

import hashlib
import html
import re

MARKER_RE = re.compile(r"\s*\[wa:([0-9a-f]{12})\]\s*$")
_BREAKS = re.compile(r"<(br|/p|/div|/li)\s*/?>", re.IGNORECASE)
_TAGS = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def marker_key(comment_id: str) -> str:
    """What the marker names: our comment id itself when it is hex (ours are uuid hex), else
    a digest of it; 12 hex digits, unique within a task."""
    if len(comment_id) >= 12 and all(ch in "0123456789abcdef" for ch in comment_id):
        return comment_id[:12]
    return hashlib.sha256(comment_id.encode()).hexdigest()[:12]


def with_marker(text: str, comment_id: str) -> str:
    tag = f"[wa:{marker_key(comment_id)}]"
    return f"{text}\n{tag}" if text else tag


def marker_of(text: str) -> str | None:
    """The marker's key if the text carries one."""
    found = MARKER_RE.search(text)
    return found.group(1) if found else None


def plain(text: str) -> str:
    """A feed text as the customer should read it: HTML (if any) as plain text, no marker."""
    if _TAGS.search(text):
        text = _TAGS.sub("", _BREAKS.sub("\n", text))
    text = html.unescape(text)
    return MARKER_RE.sub("", text).strip()
