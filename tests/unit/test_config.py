"""Loading settings from the environment: clear errors naming the variable, masked secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import config
from shared.bus import parse_shards
from shared.channels_config import ChannelConfig, for_chat, load_channels
from shared.config import (
    BotRouterSettings,
    Common,
    ConfigError,
    IngestSettings,
    OutboundSenderSettings,
    TaskSyncSettings,
)

KEY = {"WABRIDGE_URL_SIGNING_KEY": "k" * 32}
STORED = {"MONGODB_URL": "mongodb://127.0.0.1:27017/"} | KEY



def test_defaults_load_from_an_empty_environment() -> None:
    settings = config.load(Common, {})
    assert settings.rabbitmq_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert (settings.wabridge_bus_prefix, settings.wabridge_bus_shards) == ("wa", 8)


def test_values_are_read_from_upper_case_variables_and_converted() -> None:
    settings = config.load(BotRouterSettings, STORED | {
        "WABRIDGE_BUS_SHARDS": "4", "WABRIDGE_RETRY_BASE_SECONDS": "0.5",
        "WABRIDGE_BOT_IN_GROUPS": "true", "WABRIDGE_GREETING": "Hi"})
    assert (settings.wabridge_bus_shards, settings.wabridge_retry_base_seconds) == (4, 0.5)
    assert (settings.wabridge_bot_in_groups, settings.wabridge_greeting) == (True, "Hi")
    assert settings.wabridge_status_bot == "Диалог с ботом"


def test_unrelated_variables_are_ignored() -> None:
    settings = config.load(Common, {"PATH": "/usr/bin", "HOME": "/root"})
    assert settings == config.load(Common, {})


def test_load_reads_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WABRIDGE_BUS_PREFIX", "staging")
    assert config.load(Common).wabridge_bus_prefix == "staging"


@pytest.mark.parametrize(("cls", "env", "missing"), [
    (TaskSyncSettings, {}, "MONGODB_URL"),
    (OutboundSenderSettings, {}, "MONGODB_URL"),
])
def test_missing_required_variable_is_named(cls: type, env: dict[str, str],
                                            missing: str) -> None:
    with pytest.raises(ConfigError, match=f"missing environment variable {missing}"):
        config.load(cls, env)


@pytest.mark.parametrize("name", ["WABRIDGE_BUS_SHARDS", "WABRIDGE_PREFETCH", "INGEST_PORT"])
def test_malformed_integer_names_its_variable(name: str) -> None:
    env = {"WAZZUP_WEBHOOK_TOKEN": "t", name: "eight"}
    with pytest.raises(ConfigError, match=f"environment variable {name} is malformed"):
        config.load(IngestSettings, env)


@pytest.mark.parametrize(("cls", "env", "name"), [
    (Common, {"RABBITMQ_URL": "http://127.0.0.1:5672/"}, "RABBITMQ_URL"),
    (TaskSyncSettings, {"MONGODB_URL": "postgres://db/"}, "MONGODB_URL"),
])
def test_url_with_the_wrong_scheme_is_refused(cls: type, env: dict[str, str],
                                             name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config.load(cls, env)


@pytest.mark.parametrize("url", ["amqps://u:p@broker:5671/", "amqp://broker/"])
def test_amqp_and_amqps_urls_are_accepted(url: str) -> None:
    assert config.load(Common, {"RABBITMQ_URL": url}).rabbitmq_url == url


def test_mongodb_srv_url_is_accepted() -> None:
    url = "mongodb+srv://cluster.example.net/"
    assert config.load(TaskSyncSettings, KEY | {"MONGODB_URL": url}).mongodb_url == url


@pytest.mark.parametrize("shards", ["0", "257"])
def test_shard_count_out_of_range_is_refused(shards: str) -> None:
    with pytest.raises(ConfigError, match="WABRIDGE_BUS_SHARDS"):
        config.load(Common, {"WABRIDGE_BUS_SHARDS": shards})


def test_describe_masks_secrets() -> None:
    settings = config.load(TaskSyncSettings, STORED | {"WABRIDGE_ADMIN_TOKEN": "9f2c0e7a1b3d"})
    described = config.describe(settings)
    assert described["WABRIDGE_ADMIN_TOKEN"] == "***"
    assert described["WABRIDGE_URL_SIGNING_KEY"] == "***"
    assert "9f2c0e7a1b3d" not in str(described) and "k" * 32 not in str(described)


def test_describe_masks_credentials_in_urls_but_keeps_the_host() -> None:
    settings = config.load(TaskSyncSettings, KEY | {
        "RABBITMQ_URL": "amqp://bridge:s3cret@broker:5672/",
        "MONGODB_URL": "mongodb://app:p%40ss@db1:27017,db2:27017/?replicaSet=rs0",
        "WABRIDGE_ADMIN_TOKEN": "admin-token"})
    described = config.describe(settings)
    assert described["RABBITMQ_URL"] == "amqp://***@broker:5672/"
    assert described["MONGODB_URL"] == "mongodb://***@db1:27017,db2:27017/?replicaSet=rs0"
    assert described["WABRIDGE_ADMIN_TOKEN"] == "***"
    for secret in ("s3cret", "p%40ss", "admin-token"):
        assert secret not in str(described)


def test_describe_shows_plain_settings_and_empty_secrets_as_they_are() -> None:
    described = config.describe(config.load(TaskSyncSettings, STORED))
    assert described["WABRIDGE_BUS_PREFIX"] == "wa"
    assert described["MONGODB_URL"] == "mongodb://127.0.0.1:27017/"
    assert described["WABRIDGE_ADMIN_TOKEN"] == ""


def test_services_that_sign_file_links_refuse_to_start_without_the_signing_key() -> None:
    with pytest.raises(config.ConfigError, match="WABRIDGE_URL_SIGNING_KEY"):
        config.load(TaskSyncSettings, {"MONGODB_URL": "mongodb://127.0.0.1:27017/"})


def test_one_connection_per_gateway_whose_variables_are_set() -> None:
    channels = load_channels({
        "WAZZUP_API_KEY": "key", "WAZZUP_WEBHOOK_TOKEN": "wazzup-secret",
        "META_ACCESS_TOKEN": "token", "META_WEBHOOK_TOKEN": "meta-secret",
        "META_PHONE_NUMBER_ID": "1000"})
    assert [(c.id, c.provider) for c in channels] == [("wazzup", "wazzup"), ("meta", "meta")]
    assert channels[1].account.channel_id == "1000"


def test_no_configured_channel_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no channel configured"):
        load_channels({})


def test_a_channels_file_with_an_unknown_provider_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {id: a, provider: telegram, api_url: x, api_key: k,"
                    " webhook_token: secret-token}\n")
    with pytest.raises(ConfigError, match="provider must be one of"):
        load_channels({"WABRIDGE_CHANNELS_FILE": str(path)})


def test_a_chat_leaves_through_the_connection_it_arrived_on() -> None:
    first, second = (ChannelConfig(id=name, provider="wazzup", api_url="u", api_key="k",
                                   webhook_token=f"{name}-secret") for name in ("a", "b"))
    assert for_chat([first, second], "wazzup", "any-channel", "b") is second
    assert for_chat([first, second], "wazzup", "any-channel", "") is None
    assert for_chat([first], "wazzup", "any-channel", "") is first


def test_a_bot_router_replica_takes_the_shards_it_is_given() -> None:
    assert parse_shards("", 4) == [0, 1, 2, 3]
    assert parse_shards("0-1, 3", 4) == [0, 1, 3]
    with pytest.raises(ValueError, match="outside"):
        parse_shards("2-9", 4)


def test_a_malformed_shard_selection_stops_bot_router_with_its_name() -> None:
    with pytest.raises(ConfigError, match="BOT_ROUTER_SHARDS"):
        config.load(BotRouterSettings, STORED | {"BOT_ROUTER_SHARDS": "7-99"})


def test_ingest_gets_its_connections_from_webhook_secrets_without_api_keys() -> None:
    channels = load_channels({"WAZZUP_WEBHOOK_TOKEN": "wazzup-secret",
                              "META_PHONE_NUMBER_ID": "1000", "META_WEBHOOK_TOKEN": "meta-secret",
                              "META_APP_SECRET": "app-secret"}, needs=("webhook_token",))
    assert [(c.id, c.api_key) for c in channels] == [("wazzup", ""), ("meta", "")]


def test_a_process_that_sends_names_the_missing_api_key() -> None:
    with pytest.raises(ConfigError, match=r"'meta' has no api_key .*META_ACCESS_TOKEN"):
        load_channels({"WAZZUP_API_KEY": "key", "META_PHONE_NUMBER_ID": "1000"},
                      needs=("api_key",))


def test_a_process_that_receives_webhooks_names_the_missing_webhook_token() -> None:
    with pytest.raises(ConfigError, match=r"'wazzup' has no webhook_token .*WAZZUP_WEBHOOK_TOKEN"):
        load_channels({"WAZZUP_API_KEY": "key"}, needs=("webhook_token",))


def test_task_sync_learns_the_connections_from_non_secret_variables() -> None:
    channels = load_channels({"WAZZUP_API_URL": "https://api.wazzup24.com",
                              "CHAT_API_INSTANCE": "100001"}, required=False)
    assert [(c.id, c.account.channel_id) for c in channels] == [("wazzup", ""),
                                                                ("chat_api", "100001")]
