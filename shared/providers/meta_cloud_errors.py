"""Graph API error answers as our error types: which Meta codes are worth retrying."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import PermanentError, RetryableError
from shared.providers.http_answer import is_retryable_status, retry_after, str_or_none

# Throughput (130429), pair rate (131056) and WABA rate (80007) limits lift by themselves;
# Graph's generic 2 (service temporarily unavailable) and 4 (app call limit) do too.
RETRYABLE_CODES = frozenset({130429, 131056, 80007, 2, 4})
# Meta allows about one message per 6 s to the same customer.
_PAIR_RATE_WAIT = 6.0
PAIR_RATE_CODE = 131056


def raise_for_answer(status: int, answer: dict[str, Any], headers: Mapping[str, str]) -> None:
    """Return on a 2xx answer without ``error``; otherwise raise what the answer amounts to.

    131047 (re-engagement: the 24-hour window is closed) is permanent: only the customer's next
    message or a template can get through, never a retry of the same free-form message.
    """
    error = answer.get("error")
    if 200 <= status < 300 and not isinstance(error, dict):
        return
    details = error if isinstance(error, dict) else {}
    code = details.get("code")
    numeric = code if isinstance(code, int) and not isinstance(code, bool) else None
    code_text = str(numeric) if numeric is not None else f"HTTP_{status}"
    reason = _reason(status, details)
    if numeric in RETRYABLE_CODES or is_retryable_status(status):
        default = _PAIR_RATE_WAIT if numeric == PAIR_RATE_CODE else None
        raise RetryableError(reason, code=code_text, retry_after=retry_after(headers, default))
    raise PermanentError(reason, code=code_text)


def _reason(status: int, error: dict[str, Any]) -> str:
    data = error.get("error_data")
    details = str_or_none(data.get("details")) if isinstance(data, dict) else None
    title = (str_or_none(error.get("error_user_title")) or str_or_none(error.get("title"))
             or str_or_none(error.get("message")))
    text = " — ".join(p for p in (title, details) if p)
    return f"{text} (HTTP {status})" if text else f"Meta answered HTTP {status}"
