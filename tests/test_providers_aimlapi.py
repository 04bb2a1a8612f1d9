"""The second provider's settings live in config.py, are read when a client is built, and never show the key."""

from __future__ import annotations

import pytest

import musicgen
from musicgen import aimlapi, config, providers
from musicgen.aimlapi import tasks

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

SECRET = "aiml-provider-secret-777"


def test_defaults_come_from_config_and_the_old_names_still_work():
    assert (aimlapi.DEFAULT_BASE_URL, aimlapi.ENV_API_KEY, aimlapi.ENV_BASE_URL) == (
        config.AIMLAPI_BASE_URL, config.ENV_AIMLAPI_KEY, config.ENV_AIMLAPI_BASE_URL,
    )  # fmt: skip
    assert config.AIMLAPI_BASE_URL == "https://api.aimlapi.com" and config.ENV_AIMLAPI_KEY == "AIMLAPI_KEY"
    policy = tasks.PollPolicy()
    assert (policy.initial, policy.factor, policy.max_interval, policy.total_timeout) == (0.5, 1.3, 2.0, 900.0)
    assert (aimlapi.SUBMIT_READ_TIMEOUT, aimlapi.POLL_READ_TIMEOUT) == (60.0, 30.0)
    assert (
        aimlapi.PollPolicy is tasks.PollPolicy is musicgen.PollPolicy
        and musicgen.AimlApiClient is aimlapi.AimlApiClient
    )


def test_the_environment_is_read_when_a_client_is_built_not_at_import(monkeypatch):
    # musicgen was imported with no variables set (conftest pops them): nothing was fixed then.
    monkeypatch.setenv("AIMLAPI_KEY", SECRET)
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://127.0.0.1:9/")
    with providers.aimlapi_client() as c:
        assert c.settings.api_key == SECRET and c.settings.base_url == "http://127.0.0.1:9"
        assert SECRET not in repr(c) and SECRET not in repr(c.settings)
    with providers.aimlapi_client("explicit-key", "http://127.0.0.1:8") as c:  # explicit arguments win
        assert c.settings.api_key == "explicit-key" and c.settings.base_url == "http://127.0.0.1:8"
    monkeypatch.delenv("AIMLAPI_BASE_URL")
    with providers.aimlapi_client() as c:
        assert c.settings.base_url == "https://api.aimlapi.com"


def test_default_provider_order(monkeypatch):
    assert providers.default_provider() == providers.DEMO
    assert providers.default_provider(aimlapi_key="visitor") == providers.AIMLAPI
    assert providers.default_provider("minimax-visitor", "aimlapi-visitor") == providers.MINIMAX
    monkeypatch.setenv("AIMLAPI_KEY", SECRET)
    assert providers.default_provider() == providers.AIMLAPI
    monkeypatch.setenv("MINIMAX_API_KEY", "server")
    assert providers.default_provider() == providers.MINIMAX
    assert (
        providers.PROVIDERS == ("minimax", "music3", "aimlapi", "demo") and providers.LABELS["aimlapi"] == "AI/ML API"
    )
