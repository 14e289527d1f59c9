"""Phone numbers in one form, so that one customer's number matches however it was written.

``+7 901 111-22-33``, ``89011112233`` and ``79011112233`` are one number: E.164 through Google's
libphonenumber (the ``phonenumbers`` package), which knows every country's lengths and trunk
prefixes. WhatsApp ids are international numbers without ``+``; a number that is not valid that
way is read as a national number of ``region`` (the product's home country by default).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "RU"
_BRAZIL = 55
_NON_DIGITS = re.compile(r"\D")


@lru_cache(maxsize=20_000)  # a chat's number is read on each of its messages (~0.2 ms a parse)
def e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """``+<digits>`` for a phone written in any usual way; None when it cannot be a phone."""
    if not raw:
        return None
    text = raw.strip()
    bare = _NON_DIGITS.sub("", text)
    if not 7 <= len(bare) <= 15:
        return None
    candidates: list[tuple[str, str | None]] = [("+" + bare, None)]
    if not text.startswith("+") and region:
        candidates.append((text, region))
    for number_text, number_region in candidates:
        number = _parse(number_text, number_region)
        if number is not None and phonenumbers.is_valid_number(number):
            return _formatted(number)
        if number is not None and number.country_code == _BRAZIL:
            fixed = _brazil_ninth_digit(number)
            if fixed is not None:
                return fixed
    # Not valid anywhere we know (a test or a brand-new range): keep the digits as given.
    return "+" + bare


def digits(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """The E.164 number without ``+`` (the form WhatsApp ids and the directory use)."""
    normal = e164(raw, region)
    return normal[1:] if normal else _NON_DIGITS.sub("", raw or "")


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _formatted(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _brazil_ninth_digit(number: phonenumbers.PhoneNumber) -> str | None:
    """Brazil's mobiles gained a leading 9 (2012-2016); WhatsApp ids of older accounts still
    lack it (``55 11 9123 4567``). The number with the 9, when that makes it a valid mobile."""
    national = str(number.national_number)
    if len(national) != 10 or national[2] not in "6789":
        return None
    fixed = _parse(f"+{_BRAZIL}{national[:2]}9{national[2:]}", None)
    if fixed is None or not phonenumbers.is_valid_number(fixed):
        return None
    return _formatted(fixed)
