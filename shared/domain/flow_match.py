"""Which node of a menu a customer's message selects (pure).

Customers type on phones: "Доставка!", "доставка", "ДОСТАВКА ", "дoставка" with a Latin "o",
"доставкаа" with a stray letter. All of those mean the same menu item, so texts are compared
after ``normalise`` and keywords tolerate one typo in words long enough for a typo to be
unambiguous (5+ letters; "оплата" vs "оплаты" is a typo, "да" vs "до" is another word).

The order of preference is fixed so a flow's behaviour is predictable for admins:
a tapped payload, a code (the whole message), the number of an offered button or row, the
offered title typed out, a keyword found exactly, a keyword found with one typo. Within one
kind the first sibling in the admin's order wins. Nothing here raises on any text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from shared.domain.flows import Node

TYPO_MIN_LETTERS = 5  # shorter words are other words after one edit, not typos
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
# Latin letters that look like Cyrillic ones (after casefolding); phones switch layouts
# mid-word, so a word mixing both scripts is read as Cyrillic
_LOOK_ALIKES = str.maketrans("aceopxyk", "асеорхук")


def _edge(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


def _as_cyrillic(word: re.Match[str]) -> str:
    text = word.group(0)
    if _CYRILLIC.search(text) and _LATIN.search(text):
        return text.translate(_LOOK_ALIKES)
    return text


def normalise(text: str) -> str:
    """The text as triggers are compared: NFC, case-folded, ``ё`` read as ``е``, Latin
    look-alikes inside Cyrillic words read as Cyrillic, spaces collapsed, edge punctuation
    trimmed ("1." and " 1 " are "1"). A text of punctuation only keeps it ("#", "?"), since
    admins use such signs as codes and navigation words."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    folded = " ".join(folded.split())
    start, end = 0, len(folded)
    while start < end and _edge(folded[start]):
        start += 1
    while end > start and _edge(folded[end - 1]):
        end -= 1
    if start == end:
        return folded
    trimmed = folded[start:end]
    if _LATIN.search(trimmed) and _CYRILLIC.search(trimmed):
        return _WORD.sub(_as_cyrillic, trimmed)
    return trimmed


@lru_cache(maxsize=16384)
def _trigger(text: str) -> str:
    """``normalise`` of an admin's code, keyword or title. Remembered: the same few hundred
    triggers are compared with every message (a pure function's memo; no result depends on
    what was asked before)."""
    return normalise(text)


@lru_cache(maxsize=16384)
def _phrase(keyword: str) -> tuple[str, ...]:
    """The normalised words of a keyword (remembered like ``_trigger``)."""
    return tuple(_WORD.findall(_trigger(keyword)))


def words(text: str) -> list[str]:
    """The normalised words of a text (letters and digits; punctuation separates them)."""
    return _WORD.findall(normalise(text))


def is_one_of(text: str, candidates: Sequence[str]) -> bool:
    """Whether the whole message is one of ``candidates`` (codes, navigation words)."""
    wanted = normalise(text)
    return bool(wanted) and any(wanted == _trigger(c) for c in candidates)


def _phrase_at(message: list[str], phrase: Sequence[str], typos: int) -> bool:
    """Whether ``phrase`` occurs as consecutive whole words of ``message`` with at most
    ``typos`` one-letter typos in its long words."""
    size = len(phrase)
    if size == 1:  # most keywords: one word, compared without the general loop
        expected = phrase[0]
        if expected in message:
            return True
        if typos == 0 or len(expected) < TYPO_MIN_LETTERS:
            return False
        return any(abs(len(got) - len(expected)) <= 1 and
                   DamerauLevenshtein.distance(got, expected, score_cutoff=1) <= 1
                   for got in message)
    for start in range(len(message) - size + 1):
        left = typos
        for offset, expected in enumerate(phrase):
            got = message[start + offset]
            if got == expected:
                continue
            if (left == 0 or len(expected) < TYPO_MIN_LETTERS
                    or abs(len(got) - len(expected)) > 1
                    or DamerauLevenshtein.distance(got, expected, score_cutoff=1) > 1):
                break
            left -= 1
        else:
            return True
    return False


def has_keyword(text: str, keyword: str, *, typos: int = 0) -> bool:
    """Whether ``keyword`` (a word or phrase) is in ``text`` as whole word(s)."""
    phrase = _phrase(keyword)
    if not phrase:  # a keyword of signs only ("?") can only be the whole message
        return bool(_trigger(keyword)) and normalise(text) == _trigger(keyword)
    return _phrase_at(words(text), phrase, typos)


def _by_keyword(nodes: Sequence[Node], message: list[str], typos: int) -> Node | None:
    for node in nodes:
        for keyword in node.triggers.keywords:
            phrase = _phrase(keyword)
            if phrase and _phrase_at(message, phrase, typos):
                return node
    return None


def _by_sign_keyword(nodes: Sequence[Node], wanted: str) -> Node | None:
    for node in nodes:
        for keyword in node.triggers.keywords:
            if not _phrase(keyword) and _trigger(keyword) == wanted:
                return node
    return None


def by_payload(nodes: Sequence[Node], payload: str | None) -> Node | None:
    """The node a tapped button or list row names: its id or one of its payloads."""
    if not payload:
        return None
    for node in nodes:
        if payload == node.id or payload in node.triggers.payloads:
            return node
    return None


def offered_title(node: Node) -> str:
    """What a button, list row or numbered line shows for ``node``."""
    if node.title:
        return node.title
    return node.triggers.keywords[0] if node.triggers.keywords else node.id


def match_text(nodes: Sequence[Node], text: str, *, numbered: bool = False) -> Node | None:
    """The node among ``nodes`` (siblings, already filtered by hours) that ``text`` selects.

    ``numbered``: the parent offers its children as buttons or a list, so "2" also selects
    the second of ``nodes`` and a typed title selects its node.
    """
    wanted = normalise(text)
    if not wanted:
        return None
    for node in nodes:
        if any(wanted == _trigger(code) for code in node.triggers.codes):
            return node
    if numbered:
        if wanted.isdecimal() and len(wanted) <= 3 and 1 <= int(wanted) <= len(nodes):
            return nodes[int(wanted) - 1]
        for node in nodes:
            if wanted == _trigger(offered_title(node)):
                return node
    message = _WORD.findall(wanted)
    return (_by_keyword(nodes, message, 0) or _by_sign_keyword(nodes, wanted)
            or _by_keyword(nodes, message, 1))


def match(nodes: Sequence[Node], text: str, payload: str | None = None, *,
          numbered: bool = False) -> Node | None:
    """The node a message selects: its payload first, then its text, then the payload read
    as text (older buttons carried a code or keyword as their payload)."""
    return (by_payload(nodes, payload) or match_text(nodes, text, numbered=numbered)
            or (match_text(nodes, payload, numbered=numbered) if payload else None))
