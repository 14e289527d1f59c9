"""Signed file links: valid, expired, forged, and absurd expiry values refused (never a crash)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from shared.signing import check_signature, signed_file_url

KEY = "k" * 32


def test_a_fresh_link_is_valid_and_an_expired_or_forged_one_is_not() -> None:
    url = signed_file_url("http://h", "f1", KEY, now=1000, ttl_s=300)
    query = parse_qs(urlsplit(url).query)
    exp, sig = query["exp"][0], query["sig"][0]
    assert check_signature("f1", exp, sig, KEY, now=1100) is None
    assert check_signature("f1", exp, sig, KEY, now=1400) == "link expired"
    assert check_signature("f2", exp, sig, KEY, now=1100) == "wrong signature"


@pytest.mark.parametrize("exp", ["9" * 5000, "1" * 13, "-1", "1e9", "", "١٢٣"])
def test_an_absurd_expiry_is_refused_with_a_reason(exp: str) -> None:
    assert check_signature("f1", exp, "0" * 64, KEY, now=1000) == "missing or malformed expiry"
