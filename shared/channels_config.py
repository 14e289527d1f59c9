"""Channels (gateway connections) as configuration: any number, of any provider, at once.

Read from the YAML file named by ``WABRIDGE_CHANNELS_FILE``::

    channels:
      - id: sales-wazzup            # our name for the connection; chats and sends carry it
        provider: wazzup            # wazzup | meta | chat_api
        api_url: https://api.wazzup24.com
        api_key: ...                # Wazzup API key / Meta access token / chat-api token
        webhook_token: ...          # the secret in https://<ingest>/webhooks/<provider>/<token>
      - id: support-meta
        provider: meta
        api_url: https://graph.facebook.com/v21.0
        api_key: ...
        webhook_token: ...
        app_secret: ...             # signs Meta's webhooks (X-Hub-Signature-256)
        verify_token: ...           # answers Meta's GET handshake
        sender_id: "1234567890"     # the phone-number id
        rate_per_second: 80

Without a file, one connection per gateway any of whose variables is set: ``WAZZUP_API_URL``,
``WAZZUP_API_KEY``, ``WAZZUP_WEBHOOK_TOKEN``; ``META_API_URL``, ``META_ACCESS_TOKEN``,
``META_PHONE_NUMBER_ID``, ``META_WEBHOOK_TOKEN`` (+ ``META_APP_SECRET``, ``META_VERIFY_TOKEN``);
``CHAT_API_URL``, ``CHAT_API_TOKEN``, ``CHAT_API_INSTANCE``, ``CHAT_API_WEBHOOK_TOKEN``.

Each process holds only the credentials it uses (a deployment gives each its own secrets): ingest
needs every connection's webhook token, outbound-sender every connection's API key, and task-sync
neither; ``load_channels(needs=...)`` says which a process cannot run without.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import yaml

from shared.config import ConfigError
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount

DEFAULT_RATES = {"wazzup": 100.0, "meta": 80.0, "chat_api": 10.0}  # Wazzup: 500 per 5 s


class ChannelConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    provider: str
    api_url: str
    api_key: str
    webhook_token: str
    app_secret: str = ""
    verify_token: str = ""
    sender_id: str = ""
    channel_id: str = ""
    rate_per_second: float = 0.0
    account_id: str = ""  # Meta: the WhatsApp Business Account id (template list)

    def __post_init__(self) -> None:
        if self.provider not in REGISTRY:
            raise ValueError(f"channel {self.id!r}: provider must be one of {sorted(REGISTRY)}")
        if self.webhook_token and len(self.webhook_token) < 8:
            raise ValueError(f"channel {self.id!r}: webhook_token must have 8+ characters")

    @property
    def account(self) -> GatewayAccount:
        return GatewayAccount(
            api_url=self.api_url, api_key=self.api_key, webhook_token=self.webhook_token,
            channel_id=self.channel_id or self.sender_id, app_secret=self.app_secret,
            verify_token=self.verify_token, sender_id=self.sender_id,
            account_id=self.account_id)

    @property
    def rate(self) -> float:
        return self.rate_per_second or DEFAULT_RATES.get(self.provider, 10.0)

    def serves(self, channel_id: str) -> bool:
        """Whether a gateway channel id names this connection's number."""
        return bool(channel_id) and channel_id in (self.channel_id, self.sender_id)


class _File(msgspec.Struct):
    channels: list[ChannelConfig]


# per gateway: the variables that turn its connection on, and where each credential comes from
_GATEWAY_VARS = {
    "wazzup": ("WAZZUP_API_URL", "WAZZUP_API_KEY", "WAZZUP_WEBHOOK_TOKEN"),
    "meta": ("META_API_URL", "META_ACCESS_TOKEN", "META_PHONE_NUMBER_ID", "META_WEBHOOK_TOKEN",
             "META_APP_SECRET", "META_VERIFY_TOKEN"),
    "chat_api": ("CHAT_API_URL", "CHAT_API_TOKEN", "CHAT_API_INSTANCE", "CHAT_API_WEBHOOK_TOKEN"),
}
CREDENTIAL_VARS = {
    "wazzup": {"api_key": "WAZZUP_API_KEY", "webhook_token": "WAZZUP_WEBHOOK_TOKEN"},
    "meta": {"api_key": "META_ACCESS_TOKEN", "webhook_token": "META_WEBHOOK_TOKEN",
             "app_secret": "META_APP_SECRET", "verify_token": "META_VERIFY_TOKEN"},
    "chat_api": {"api_key": "CHAT_API_TOKEN", "webhook_token": "CHAT_API_WEBHOOK_TOKEN"},
}


def _from_env(env: Mapping[str, str]) -> list[dict[str, Any]]:
    on = {gateway for gateway, names in _GATEWAY_VARS.items() if any(env.get(n) for n in names)}
    found: list[dict[str, Any]] = []
    if "wazzup" in on:
        found.append({"id": "wazzup", "provider": "wazzup",
                      "api_url": env.get("WAZZUP_API_URL") or "https://api.wazzup24.com",
                      "api_key": env.get("WAZZUP_API_KEY", ""),
                      "webhook_token": env.get("WAZZUP_WEBHOOK_TOKEN", ""),
                      "rate_per_second": env.get("WAZZUP_RATE_PER_SECOND", 0)})
    if "meta" in on:
        found.append({"id": "meta", "provider": "meta",
                      "api_url": env.get("META_API_URL") or "https://graph.facebook.com/v21.0",
                      "api_key": env.get("META_ACCESS_TOKEN", ""),
                      "webhook_token": env.get("META_WEBHOOK_TOKEN", ""),
                      "app_secret": env.get("META_APP_SECRET", ""),
                      "verify_token": env.get("META_VERIFY_TOKEN", ""),
                      "sender_id": env.get("META_PHONE_NUMBER_ID", ""),
                      "account_id": env.get("META_WABA_ID", ""),
                      "rate_per_second": env.get("META_RATE_PER_SECOND", 0)})
    if "chat_api" in on:
        instance = env.get("CHAT_API_INSTANCE", "")
        found.append({"id": "chat_api", "provider": "chat_api",
                      "api_url": env.get("CHAT_API_URL")
                      or f"https://api.chat-api.com/instance{instance}",
                      "api_key": env.get("CHAT_API_TOKEN", ""),
                      "webhook_token": env.get("CHAT_API_WEBHOOK_TOKEN", ""),
                      "sender_id": instance,
                      "rate_per_second": env.get("CHAT_API_RATE_PER_SECOND", 0)})
    return found


def _check_needs(channels: list[ChannelConfig], needs: tuple[str, ...], from_file: bool) -> None:
    for channel in channels:
        for what in needs:
            if getattr(channel, what):
                continue
            where = ("in WABRIDGE_CHANNELS_FILE" if from_file else
                     f"(set {CREDENTIAL_VARS[channel.provider].get(what, what.upper())})")
            raise ConfigError(f"connection {channel.id!r} has no {what} {where}")


def load_channels(env: Mapping[str, str] | None = None, *, required: bool = True,
                  needs: tuple[str, ...] = ()) -> list[ChannelConfig]:
    """The configured connections; ``ConfigError`` naming what is wrong (and when there is
    none, unless not ``required``). ``needs``: credentials every connection must carry in this
    process (``"webhook_token"`` where webhooks arrive, ``"api_key"`` where sends leave)."""
    env = os.environ if env is None else env
    path = env.get("WABRIDGE_CHANNELS_FILE")
    try:
        if path:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            channels = msgspec.convert(raw, _File).channels
        else:
            channels = msgspec.convert(_from_env(env), list[ChannelConfig], strict=False)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"WABRIDGE_CHANNELS_FILE {path}: {exc}") from None
    except msgspec.ValidationError as exc:
        where = f"WABRIDGE_CHANNELS_FILE {path}" if path else "channel variables"
        raise ConfigError(f"{where}: {exc}") from None
    ids = [c.id for c in channels]
    if len(ids) != len(set(ids)):
        raise ConfigError("channel ids must be unique")
    if not channels and required:
        raise ConfigError("no channel configured: set WAZZUP_API_KEY (or META_ACCESS_TOKEN, "
                          "CHAT_API_TOKEN) or WABRIDGE_CHANNELS_FILE")
    _check_needs(channels, needs, bool(path))
    return channels


def for_chat(channels: list[ChannelConfig], provider: str, channel_id: str,
             connection: str) -> ChannelConfig | None:
    """The connection a chat's messages leave through: the one it arrived on, else the one
    serving its number, else the provider's only connection."""
    same = [c for c in channels if c.provider == provider]
    by_id = [c for c in same if c.id == connection]
    serving = [c for c in same if c.serves(channel_id)]
    for match in (by_id, serving):
        if match:
            return match[0]
    return same[0] if len(same) == 1 else None
