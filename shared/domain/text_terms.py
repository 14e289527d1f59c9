"""The words of a message, as the message-text search indexes and looks them up.

A word is a run of letters and digits after NFC normalisation, case folding and ё → е, so
"Ёлка", "ёлка" and "елка" are one word, and "№12345" or "заказ#12345" gives "12345". Words
longer than ``MAX_WORD`` are cut to it (a search for the full word still finds them: a query
word is cut the same way and matched as a prefix); a message contributes at most ``MAX_WORDS``
distinct words (its first ones), which bounds the index entries a long message writes.
One-letter words are left out: as a prefix they would match a large part of the index.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WORD = 32
MAX_WORDS = 100
MIN_WORD = 2

_WORD = re.compile(r"[^\W_]+")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


def words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The distinct words of ``text`` in the order they first appear, at most ``limit``."""
    found: dict[str, None] = {}
    for match in _WORD.finditer(_normal(text)):
        word = match[0][:MAX_WORD]
        if len(word) >= MIN_WORD and word not in found:
            found[word] = None
            if len(found) >= limit:
                break
    return list(found)


def message_words(*texts: str | None) -> list[str]:
    """The distinct words of a message's texts (the original and an edited text), bounded
    together by ``MAX_WORDS``."""
    found: dict[str, None] = {}
    for text in texts:
        if text:
            found.update(dict.fromkeys(words(text, MAX_WORDS - len(found))))
        if len(found) >= MAX_WORDS:
            break
    return list(found)


def query_words(text: str) -> list[str]:
    """The words a search looks for, each to match as a prefix (the same normalisation)."""
    return words(text, limit=8)
