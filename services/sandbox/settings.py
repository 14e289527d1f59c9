"""Settings of the sandbox gateway, read from the same variables the bridge uses."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from shared.config import load

PROVIDERS = ("wazzup", "meta", "chat_api")


class SandboxSettings(msgspec.Struct, kw_only=True, frozen=True, rename="upper"):
    """``sandbox_port`` is read from ``SANDBOX_PORT`` and so on; every field has a default."""

    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8090
    # where services reach the sandbox; media URLs use it rather than the caller's Host header
    sandbox_public_url: str = ""
    wazzup_api_key: str = "sandbox-wazzup-key"
    wazzup_webhook_token: str = "sandbox-webhook-token"
    ingest_url: str = "http://127.0.0.1:8080"
    sandbox_channel_id: str = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"
    sandbox_waba_channel_id: str = "9b7d5e1f-3a2c-4e6b-8d0f-1c2b3a4d5e6f"
    meta_app_secret: str = "sandbox-meta-app-secret"
    meta_access_token: str = "sandbox-meta-token"
    meta_phone_number_id: str = "100000000000001"
    meta_webhook_token: str = "sandbox-meta-webhook-token"
    chat_api_token: str = "sandbox-chat-api-token"
    chat_api_instance: str = "100001"
    chat_api_webhook_token: str = "sandbox-chat-api-webhook-token"

    @property
    def ingest_webhook_url(self) -> str:
        """Where Wazzup would POST: the bridge's ingest with the secret in the path."""
        return self.webhook_url("wazzup")

    def webhook_url(self, provider: str) -> str:
        """The ingest URL a provider's webhooks go to (the secret is the last path segment)."""
        token = {
            "wazzup": self.wazzup_webhook_token,
            "meta": self.meta_webhook_token,
            "chat_api": self.chat_api_webhook_token,
        }[provider]
        return f"{self.ingest_url.rstrip('/')}/webhooks/{provider}/{token}"


def load_settings(environ: Mapping[str, str] | None = None) -> SandboxSettings:
    """Settings from the environment; raises ``shared.config.ConfigError`` naming a bad variable."""
    return load(SandboxSettings, environ)
