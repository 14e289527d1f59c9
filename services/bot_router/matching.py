"""Which scenario a customer's text asks for (pure)."""

from __future__ import annotations

import re
import unicodedata

from shared.domain.scenarios import Scenario

_EDGE_PUNCTUATION = " \t\r\n.,!?;:()\"'«»-—"


def normalise(text: str) -> str:
    """Case-folded, NFC, trimmed of surrounding spaces and punctuation ("1." and " 1 " are "1")."""
    return unicodedata.normalize("NFC", text).casefold().strip(_EDGE_PUNCTUATION)


def match_scenario(text: str, scenarios: list[Scenario]) -> Scenario | None:
    """A code must be the whole message; a keyword may appear anywhere as a whole word.

    Codes win over keywords; among equals the first scenario in the admin's order wins.
    """
    wanted = normalise(text)
    if not wanted:
        return None
    for scenario in scenarios:
        if any(wanted == normalise(code) for code in scenario.codes):
            return scenario
    for scenario in scenarios:
        for keyword in scenario.keywords:
            word = normalise(keyword)
            if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", wanted):
                return scenario
    return None
