"""Webhook authentication for gateways that sign nothing (Wazzup, chat-api): a long random
secret in the webhook URL, compared in constant time; no GET handshake."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from shared.providers.base import GatewayAccount
from shared.providers.http_answer import header


class PathTokenWebhooks:
    """The webhook half of a ``Provider`` whose only credential is the URL's secret."""

    def verify_webhook(
        self, account: GatewayAccount, path_token: str, headers: Mapping[str, str], body: bytes
    ) -> bool:
        """True when the URL's secret equals the account's webhook token (constant time).

        An ``Authorization: Bearer`` header, when one is sent (Wazzup's ``crmKey``), must carry
        the same token. An empty configured token never matches.
        """
        expected = account.webhook_token.encode()
        if not expected or not hmac.compare_digest(path_token.encode(), expected):
            return False
        authorization = header(headers, "authorization")
        if authorization is None:
            return True
        return hmac.compare_digest(authorization.encode(), b"Bearer " + expected)

    def refusal_status(self, account: GatewayAccount, headers: Mapping[str, str],
                       body: bytes) -> int:
        """401: the secret in the URL is the only credential, and it was not this one."""
        return 401

    def answer_verification(
        self, account: GatewayAccount, query: Mapping[str, str]
    ) -> str | None:
        """No GET handshake: Wazzup probes with a POST ``{"test": true}``; chat-api not at all."""
        return None
