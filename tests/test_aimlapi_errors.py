"""How the AI/ML API client maps the proxy's failures, retries what is safe, and keeps the key out of sight."""

import socket

import pytest

from musicgen import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidParametersError,
    MusicRequest,
    RateLimitError,
    ServerError,
)
from musicgen.aimlapi import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, AimlApiClient, PollPolicy, TaskFailedError
from musicgen.aimlapi.standin import ProxyFault, ProxyStandIn, TaskPlan
from musicgen.requests import AudioSetting

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nPushing the wooden door"
SECRET = "aiml-very-secret-key-123"


@pytest.fixture
def server(clock):
    with ProxyStandIn(api_key=SECRET, clock=clock.now, audio_s=0.3, default_plan=TaskPlan(1.0, 9.0)) as s:
        yield s


@pytest.fixture
def client(server, clock, sleeps):
    with AimlApiClient(SECRET, server.url, clock=clock.now, sleep=sleeps) as c:
        yield c


def song():
    return MusicRequest.song("indie folk, melancholic", LYRICS, audio_setting=AudioSetting(format="wav"))


def submits(server):
    return [r for r in server.requests if r["method"] == "POST"]


def assert_no_key(*things):
    for thing in things:
        assert SECRET not in str(thing) and SECRET not in repr(thing)


# -- on submit ----------------------------------------------------------------------------------------------------


def test_wrong_key_is_an_authentication_error_that_names_the_variable(server, clock):
    with AimlApiClient("wrong-key-456", server.url, clock=clock.now, sleep=clock.sleep) as c:
        with pytest.raises(AuthenticationError) as err:
            c.generate(song())
    assert err.value.http_status == 401 and ENV_API_KEY in err.value.hint and "MINIMAX" not in str(err.value)
    assert len(submits(server)) == 1  # a refused key is not retried


def test_missing_key_is_refused_before_any_call(server):
    with AimlApiClient(base_url=server.url) as c:
        with pytest.raises(AuthenticationError, match="No AI/ML API key"):
            c.generate(song())
    assert server.requests == []


def test_submit_429_waits_retry_after_then_succeeds(client, server, sleeps):
    server.inject(ProxyFault("http", status=429, retry_after=7, route="submit"))
    res = client.generate(song())
    assert res.audio and sleeps.log[0] == 7 and len(submits(server)) == 2 and len(server.tasks) == 1


def test_submit_429_that_persists_is_a_rate_limit_error(client, server, sleeps):
    server.inject(ProxyFault("http", status=429, retry_after=4, route="submit"), times=4)
    with pytest.raises(RateLimitError) as err:
        client.generate(song())
    assert err.value.retry_after == 4 and err.value.http_status == 429 and sleeps.log == [4, 4, 4]
    assert server.tasks == {}


@pytest.mark.parametrize("fault", [ProxyFault("http", status=503), ProxyFault("html")])
def test_submit_5xx_is_a_server_error_and_never_resent(client, server, fault):
    server.inject(ProxyFault(fault.kind, status=fault.status, route="submit"))
    with pytest.raises(ServerError) as err:
        client.generate(song())
    assert err.value.http_status in (502, 503) and "AI/ML API" in err.value.hint
    assert len(submits(server)) == 1


def test_submit_cut_off_after_sending_is_not_resent(client, server):
    server.inject(ProxyFault("reset", route="submit"))
    with pytest.raises(APIConnectionError):
        client.generate(song())
    assert len(submits(server)) == 1  # the task may exist: re-sending could pay for two songs


def test_connection_refused_is_retried_then_reported_with_the_proxy_hint(sleeps, clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    with AimlApiClient(SECRET, f"http://127.0.0.1:{port}", clock=clock.now, sleep=sleeps) as c:
        with pytest.raises(APIConnectionError) as err:
            c.generate(song())
    assert sleeps.log == [1.0, 2.0, 4.0] and ENV_BASE_URL in err.value.hint


def test_proxy_side_validation_message_reaches_the_user(client, server):
    server.inject(ProxyFault("http", status=400, message="lyrics contains forbidden words", route="submit"))
    with pytest.raises(InvalidParametersError, match="forbidden words"):
        client.generate(song())


# -- while polling ------------------------------------------------------------------------------------------------


def test_poll_429_honours_retry_after_and_keeps_polling(client, server, sleeps):
    server.inject(ProxyFault("http", status=429, retry_after=5, route="poll"), times=2)
    res = client.generate(song())
    assert res.audio and sleeps.log[1:3] == [5, 5] and len(server.tasks) == 1


@pytest.mark.parametrize("fault", [ProxyFault("reset", route="poll"), ProxyFault("http", status=502, route="poll")])
def test_poll_failures_are_retried(client, server, fault):
    server.inject(fault, times=2)
    assert client.generate(song()).audio


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (ProxyFault("http", status=500, route="poll"), ServerError, "on its side"),
        (ProxyFault("reset", route="poll"), APIConnectionError, ENV_BASE_URL),
    ],
)
def test_poll_failures_that_persist_name_the_task(client, server, fault, error, words):
    server.inject(fault, times=10)
    with pytest.raises(error) as err:
        client.generate(song())
    task_id = next(iter(server.tasks))
    assert f"wait('{task_id}')" in err.value.hint and words in err.value.hint
    assert len([r for r in server.requests if r["method"] == "GET"]) == 4  # one try and three retries


def test_task_error_is_a_failed_generation_with_its_name_and_message(client, server):
    server.plan(TaskPlan(1.0, 3.0, error=("ContentPolicyViolation", "lyrics were flagged")))
    with pytest.raises(TaskFailedError) as err:
        client.generate(song())
    exc = err.value
    assert isinstance(exc, APIError) and exc.error_name == "ContentPolicyViolation"
    assert "ContentPolicyViolation" in str(exc) and "lyrics were flagged" in str(exc) and exc.task_id in str(exc)
    assert not [r for r in server.requests if r["path"].startswith("/files/")]


def test_unknown_generation_id_is_a_plain_api_error(client):
    with pytest.raises(APIError, match="knows no task nope") as err:
        client.status("nope")
    assert err.value.http_status == 404 and type(err.value) is APIError


def test_polls_stop_at_the_total_timeout_even_with_long_retry_after(server, clock, sleeps):
    server.inject(ProxyFault("http", status=429, retry_after=25, route="poll"), times=100)
    with AimlApiClient(SECRET, server.url, clock=clock.now, sleep=sleeps, poll=PollPolicy(total_timeout=40)) as c:
        with pytest.raises(APITimeoutError):
            c.generate(song())
    assert clock.now() == pytest.approx(40)


# -- settings and secrets ------------------------------------------------------------------------------------------


def test_settings_come_from_the_environment_when_built_and_explicit_arguments_win(monkeypatch):
    monkeypatch.setenv("MINIMAX_API_KEY", "minimax-key-never-sent-to-the-proxy")
    with AimlApiClient() as c:
        assert c.settings.api_key == "" and c.settings.base_url == DEFAULT_BASE_URL
    monkeypatch.setenv(ENV_API_KEY, SECRET)
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:9/")
    with AimlApiClient() as c:
        assert c.settings.api_key == SECRET and c.settings.base_url == "http://127.0.0.1:9"
    with AimlApiClient("explicit", "http://127.0.0.1:8") as c:
        assert c.settings.api_key == "explicit" and c.settings.base_url == "http://127.0.0.1:8"
        assert c.provider == "aimlapi"


def test_key_never_appears_in_reprs_or_errors(client, server, clock):
    assert_no_key(client, client.settings)
    found = []
    for fault, times in ((ProxyFault("http", status=429, route="submit"), 4), (ProxyFault("http", status=500), 1)):
        server.inject(fault, times=times)
        with pytest.raises(APIError) as err:
            client.generate(song())
        found.append(err.value)
    server.plan(TaskPlan(1.0, 1.0, error=("Boom", "failed")))
    with pytest.raises(TaskFailedError) as err:
        client.generate(song())
    found.append(err.value)
    with AimlApiClient(SECRET + "x", server.url, clock=clock.now, sleep=clock.sleep) as c:
        with pytest.raises(AuthenticationError) as err:
            c.generate(song())
        assert_no_key(c)
    assert_no_key(*found, err.value, *(e.hint for e in found))
