"""Short-lived signed URLs for files that gateways fetch (Wazzup needs a public contentUri).

The signature is HMAC-SHA256 over the file id and the expiry time with a key shared by the
services that sign (outbound-sender) and serve (task-sync). Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlencode

# epoch seconds have 10 digits until the year 2286; a longer "exp" is refused before int()
# (which refuses numbers of over 4300 digits with an error of its own)
_EXP_DIGITS = 12


def _mac(key: str, file_id: str, expires: int) -> str:
    message = f"{file_id}\n{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signed_file_url(base_url: str, file_id: str, key: str, *, now: float, ttl_s: int) -> str:
    expires = int(now) + ttl_s
    query = urlencode({"exp": expires, "sig": _mac(key, file_id, expires)})
    return f"{base_url.rstrip('/')}/files/{quote(file_id, safe='')}?{query}"


def check_signature(file_id: str, exp: str, sig: str, key: str, *, now: float) -> str | None:
    """None when the signature is valid and unexpired, else the reason it is refused."""
    if not (exp.isascii() and exp.isdigit()) or len(exp) > _EXP_DIGITS:
        return "missing or malformed expiry"
    if int(exp) < now:
        return "link expired"
    if not hmac.compare_digest(_mac(key, file_id, int(exp)), sig):
        return "wrong signature"
    return None
