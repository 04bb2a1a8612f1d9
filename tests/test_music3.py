"""The MiniMax Music 3 client against the strict stand-in: what it sends, what it refuses first, what it tells."""

import io

import httpx
import pytest
import soundfile as sf
from pydantic import ValidationError

from musicgen import errors, providers
from musicgen.music3 import (
    DOWN_HINT,
    Music3Client,
    Music3Request,
    check_server_url,
    read_timeout_from_env,
    visitor_servers_allowed,
)
from musicgen.music3.standin import REFUSED, Music3Fault, Music3StandIn
from musicgen.music3.standin.validation import ACCEPTED
from musicgen.requests import same_line_tags, tags_on_own_lines

PROMPT = "A melancholic lo-fi hip-hop track with a mellow piano riff at 85 BPM"
LYRICS = "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow"
KEY = "gateway-secret-token"


@pytest.fixture(scope="module")
def server():
    with Music3StandIn(api_key=KEY) as s:
        yield s


@pytest.fixture
def client(server):
    with Music3Client(server.url, api_key=KEY) as c:
        yield c


def song(**kw) -> Music3Request:
    return Music3Request(**{"prompt": PROMPT, "lyrics": LYRICS, "seed": 42, "max_seconds": 10, **kw})


def test_song_sends_caption_lyrics_seed_and_cap_and_nothing_refused(server, client):
    result = client.generate(song(max_seconds=30))
    sent = server.generations()[-1]
    assert sent == {
        "model": "MiniMaxAI/MiniMax-Music3",
        "input": LYRICS,
        "instructions": PROMPT,
        "seed": 42,
        "max_new_tokens": 750,
        "response_format": "wav",
    }
    assert set(sent) <= ACCEPTED and not set(sent) & set(REFUSED) and "stream" not in sent
    assert server.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"
    info = sf.info(io.BytesIO(result.audio))
    assert (info.samplerate, info.channels, info.subtype) == (32000, 2, "PCM_16")
    assert result.format == "wav" and result.provider == "music3" and 0 < result.duration_s <= 30.0
    meta = result.metadata()
    assert (meta["seed"], meta["max_seconds"], meta["model"]) == (42, 30, "MiniMaxAI/MiniMax-Music3")
    assert meta["label"] == "MiniMax-Music3"


def test_instrumental_follows_the_cookbook_minimal_lyric_and_no_vocals_caption(server, client):
    result = client.generate(
        Music3Request(prompt="Warm analog pads, 70 BPM", instrumental=True, seed=3, max_seconds=10)
    )
    sent = server.generations()[-1]
    assert sent["input"] == "[Intro]\n(instrumental)"
    assert sent["instructions"] == "Warm analog pads, 70 BPM. Instrumental, no vocals."
    assert set(sent) <= ACCEPTED and not set(sent) & set(REFUSED)
    assert result.duration_s == pytest.approx(10.0, abs=0.01)
    said = Music3Request(prompt="An instrumental ambient piece, no vocals", instrumental=True).payload("m")
    assert said["instructions"] == "An instrumental ambient piece, no vocals"  # not said twice


def test_same_line_tag_is_caught_before_any_call_with_its_line_number(server, client):
    before = len(server.requests)
    lyrics = "[Verse]\nfine line\n[Chorus] Take it easy\nla la"
    with pytest.raises(ValidationError) as caught:
        client.generate(Music3Request(prompt=PROMPT, lyrics=lyrics))
    assert "line 3" in str(caught.value) and "[Chorus]" in str(caught.value)
    assert len(server.requests) == before
    fixed = tags_on_own_lines(lyrics)
    assert fixed == "[Verse]\nfine line\n[Chorus]\nTake it easy\nla la" and same_line_tags(fixed) == []
    client.generate(Music3Request(prompt=PROMPT, lyrics=fixed, max_seconds=10))  # the fix is accepted


def test_same_seed_gives_the_same_file_and_another_seed_another(client):
    first = client.generate(song(seed=7)).audio
    assert client.generate(song(seed=7)).audio == first
    assert client.generate(song(seed=8)).audio != first


def test_blank_seed_is_random_and_reported_so_the_take_can_be_made_again(client):
    taken = client.generate(song(seed=None))
    again = client.generate(song(seed=taken.extra["seed"]))
    assert taken.audio == again.audio
    assert len({Music3Request(prompt=PROMPT, lyrics=LYRICS, seed="").seed for _ in range(5)}) > 1


@pytest.mark.parametrize(("seconds", "frames"), [(10, 250), (30, 750), (360, 9000)])
def test_length_cap_is_25_frames_a_second(seconds, frames):
    assert song(max_seconds=seconds).max_new_tokens == frames


@pytest.mark.parametrize("seconds", [9, 361])
def test_length_cap_outside_10_s_to_6_min_is_refused_before_any_call(seconds):
    with pytest.raises(ValidationError, match="max_seconds"):
        song(max_seconds=seconds)


def test_length_cap_bounds_the_audio(client):
    assert client.generate(song(max_seconds=10)).duration_s == pytest.approx(10.0, abs=0.01)


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"lyrics": " "}, "lyrics"), ({"prompt": " "}, "prompt"), ({"seed": -1}, "seed"), ({"temperature": 1}, "temp")],
)
def test_bad_input_names_the_field(kw, field):
    with pytest.raises(ValidationError, match=field):
        song(**kw)


def test_a_400_names_the_field(server, client):
    server.inject(Music3Fault("http", 400, "max_new_tokens must be an integer from 1 to 9000"))
    with pytest.raises(errors.InvalidParametersError) as caught:
        client.generate(song())
    assert "max_new_tokens" in str(caught.value) and caught.value.http_status == 400


def test_a_503_says_down_or_starting(server, client):
    server.starting = True
    try:
        with pytest.raises(errors.ServerError) as caught:
            client.generate(song())
        assert caught.value.http_status == 503 and caught.value.hint == DOWN_HINT
        assert "down or still starting" in str(caught.value)
        assert client.health().state == "starting"
    finally:
        server.starting = False


def test_a_refused_connection_says_down_or_starting_and_is_sent_once():
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("Connection refused")

    with Music3Client("http://gpu-box:8000", transport=httpx.MockTransport(refuse)) as c:
        with pytest.raises(errors.APIConnectionError) as caught:
            c.generate(song())
    assert caught.value.hint == DOWN_HINT and len(calls) == 1
    stopped = Music3StandIn().start()
    url = stopped.url
    stopped.stop()
    with Music3Client(url) as c:
        with pytest.raises(errors.APIConnectionError, match="Could not connect"):
            c.generate(song())
        assert c.health().state == "unreachable"


def test_a_read_timeout_is_never_re_sent(server):
    server.inject(Music3Fault("slow", delay_s=1.0))
    before = len(server.generations())
    with Music3Client(server.url, api_key=KEY, read_timeout=0.2) as c:
        with pytest.raises(errors.APITimeoutError, match="MUSIC3_READ_TIMEOUT"):
            c.generate(song())
    assert len(server.generations()) == before + 1


def test_read_timeout_defaults_to_1200_s_and_is_configurable(monkeypatch):
    monkeypatch.delenv("MUSIC3_READ_TIMEOUT", raising=False)
    assert read_timeout_from_env() == 1200.0
    monkeypatch.setenv("MUSIC3_READ_TIMEOUT", "1800")
    assert Music3Client("http://gpu-box:8000").read_timeout == 1800.0
    monkeypatch.setenv("MUSIC3_READ_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="MUSIC3_READ_TIMEOUT"):
        read_timeout_from_env()


def test_configuration_from_the_environment(monkeypatch, server):
    monkeypatch.setenv("MUSIC3_BASE_URL", server.url + "/")
    monkeypatch.setenv("MUSIC3_API_KEY", KEY)
    monkeypatch.setenv("MUSIC3_MODEL", "MiniMaxAI/MiniMax-Music3")
    monkeypatch.setenv("MUSIC3_CONCURRENCY", "4")
    with Music3Client() as c:
        assert c.base_url == server.url and c.health().ok
    assert providers.get("music3").concurrency() == 4  # the record reads MUSIC3_CONCURRENCY
    monkeypatch.delenv("MUSIC3_BASE_URL")
    with pytest.raises(errors.APIConnectionError, match="MUSIC3_BASE_URL"):
        Music3Client()


def test_the_key_is_a_secret(server):
    with Music3Client(server.url, api_key="wrong-secret") as c:
        assert "wrong-secret" not in repr(c)
        with pytest.raises(errors.AuthenticationError) as caught:
            c.generate(song())
        assert "MUSIC3_API_KEY" in str(caught.value) and "wrong-secret" not in str(caught.value)
        assert c.health().state == "error"


def test_a_redirect_is_not_followed_so_the_key_stays_home():
    seen = []

    def redirect(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "http://attacker.example/steal"})

    with Music3Client("http://gpu-box:8000", api_key=KEY, transport=httpx.MockTransport(redirect)) as c:
        with pytest.raises(errors.APIError):
            c.generate(song())
    assert seen == ["http://gpu-box:8000/v1/audio/speech"]


def test_another_model_served_says_to_set_music3_model(server):
    with Music3Client(server.url, api_key=KEY, model="MiniMaxAI/Other") as c:
        with pytest.raises(errors.ModelUnavailableError, match="MUSIC3_MODEL"):
            c.generate(song())


def test_a_gateway_page_is_a_server_error_not_audio(server, client):
    server.inject(Music3Fault("html"))
    with pytest.raises(errors.ServerError, match="not JSON"):
        client.generate(song())


def test_visitor_servers_only_when_allowed_and_never_on_a_space(monkeypatch):
    monkeypatch.delenv("SPACE_ID", raising=False)
    monkeypatch.delenv("MUSICGEN_ALLOW_VISITOR_SERVERS", raising=False)
    assert not visitor_servers_allowed()
    monkeypatch.setenv("MUSICGEN_ALLOW_VISITOR_SERVERS", "1")
    assert visitor_servers_allowed()
    monkeypatch.setenv("SPACE_ID", "someone/musicgen")
    assert not visitor_servers_allowed()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://x", "http://", "http://user:pw@host:8000", "gpu-box:8000", "http://h/?a=1"]
)
def test_server_url_must_be_plain_http_or_https(url):
    with pytest.raises(ValueError, match="server URL"):
        check_server_url(url)


def test_the_studios_music_request_becomes_a_music3_request(server, client):
    from musicgen.requests import MusicRequest

    result = client.generate(MusicRequest.song(PROMPT, LYRICS, seed=5, max_seconds=10, stream=True))
    sent = server.generations()[-1]
    assert (sent["seed"], sent["max_new_tokens"], sent["input"]) == (5, 250, LYRICS) and "stream" not in sent
    assert result.extra["seed"] == 5
    blank = client.generate(MusicRequest.instrumental("ambient pads", max_seconds=10))
    assert server.generations()[-1]["seed"] == blank.extra["seed"]  # drawn here, reported
    assert server.generations()[-1]["input"] == "[Intro]\n(instrumental)"
    with pytest.raises(errors.ModelUnavailableError, match="auto-lyrics") as caught:
        client.generate(MusicRequest.song(PROMPT, lyrics_optimizer=True))
    assert caught.value.provider == "music3" and "Demo engine" in caught.value.hint


def test_errors_carry_the_provider(server, client):
    server.inject(Music3Fault("http", 400, "seed must be a non-negative 64-bit integer"))
    with pytest.raises(errors.InvalidParametersError) as caught:
        client.generate(song())
    assert caught.value.provider == "music3"


def test_minimax_payload_never_carries_seed_or_length():
    from musicgen.requests import MusicRequest

    body = MusicRequest.song(PROMPT, LYRICS, seed=5, max_seconds=30).payload()
    assert "seed" not in body and "max_seconds" not in body
