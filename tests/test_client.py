"""The client against the local stand-in of MiniMax's HTTP contract, on loopback."""

import io

import pytest
import soundfile as sf

from musicgen import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ContentFlaggedError,
    CorruptAudioError,
    InsufficientBalanceError,
    InvalidParametersError,
    ModelUnavailableError,
    MusicClient,
    MusicRequest,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamTruncatedError,
)
from musicgen.config import RetryPolicy, Timeouts
from musicgen.requests import AudioSetting
from musicgen.standin import Fault, StandIn

LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nPushing the wooden door"
SECRET = "sk-api-very-secret-key-123"


@pytest.fixture
def server():
    with StandIn() as s:
        yield s


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(server, sleeps):
    with MusicClient(api_key=SECRET, base_url=server.url, sleep=sleeps.append) as c:
        yield c


def song(fmt="mp3", **kw):
    return MusicRequest.song(
        "indie folk, melancholic", LYRICS, audio_setting=AudioSetting(format=fmt, sample_rate=24000), **kw
    )


def api_calls(server):
    return [r for r in server.requests if r["path"].startswith("/v1/")]


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_hex_song_decodes_with_its_facts(client, fmt):
    res = client.generate(song(fmt))
    data, rate = sf.read(io.BytesIO(res.audio))
    assert rate == res.sample_rate == 24000
    assert res.duration_s == pytest.approx(len(data) / rate, abs=0.1)
    assert res.channels == 2 and res.format == fmt and res.size == len(res.audio)
    assert res.trace_id and res.model == "music-3.0" and res.bitrate == 256000  # the default model


def test_pcm_is_kept_raw_and_offered_as_wav(client):
    res = client.generate(song("pcm"))
    wav, ext = res.playable()
    data, rate = sf.read(io.BytesIO(wav), dtype="int16")
    assert ext == "wav" and rate == 24000 and data.shape[1] == 2
    assert data.tobytes() == res.audio  # same samples, only a header added
    assert res.duration_s == pytest.approx(len(res.audio) / (2 * 2 * 24000))


def test_authorization_header_carries_the_key(client, server):
    client.generate(song())
    assert api_calls(server)[0]["headers"]["authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("url_field", ["audio", "audio_url"])
def test_url_mode_downloads_at_once_without_the_key(url_field, sleeps):
    with StandIn(url_field=url_field) as server, MusicClient(api_key=SECRET, base_url=server.url) as c:
        res = c.generate(song(output_format="url"))
        downloads = [r for r in server.requests if r["path"].startswith("/files/")]
        base = server.url
    assert res.url and res.url.startswith(base)
    assert sf.info(io.BytesIO(res.audio)).samplerate == 24000
    assert len(downloads) == 1 and "authorization" not in downloads[0]["headers"]


def test_expired_link_says_where_to_fetch():
    with StandIn(url_ttl_s=0) as server, MusicClient(api_key="k", base_url=server.url) as client:
        with pytest.raises(APIConnectionError) as info:
            client.generate(song(output_format="url"))
    assert "/files/" in str(info.value) and info.value.trace_id


@pytest.mark.parametrize("shape", ["aggregate", "tail", "empty"])
@pytest.mark.parametrize("done,crlf", [(False, False), (True, True)])
def test_every_stream_shape_gives_the_same_song(shape, done, crlf):
    with StandIn(stream_shape=shape, stream_done=done, crlf=crlf, chunk_bytes=4096) as server:
        with MusicClient(api_key="k", base_url=server.url) as c:
            whole = c.generate(song()).audio
            chunks = []
            res = c.generate(song(stream=True), on_chunk=chunks.append)
    assert res.audio == whole
    assert len(chunks) >= 2 and b"".join(ch.data for ch in chunks) == whole
    assert chunks[-1].bytes_received == len(whole)


def test_stream_yields_chunks_before_the_result(client):
    items = list(client.stream(song()))
    assert all(type(i).__name__ == "Chunk" for i in items[:-1]) and len(items) > 2
    assert items[-1].audio == b"".join(i.data for i in items[:-1])


def test_truncated_stream_keeps_what_arrived(server, client):
    whole = client.generate(song()).audio
    server.inject(Fault(kind="truncate"))
    with pytest.raises(StreamTruncatedError) as info:
        client.generate(song(stream=True))
    assert 0 < len(info.value.partial) < len(whole) and whole.startswith(info.value.partial)


def test_error_inside_a_stream_keeps_what_arrived(server, client):
    server.inject(Fault(kind="stream_error", code=1027, message="output new_sensitive"))
    with pytest.raises(ContentFlaggedError) as info:
        client.generate(song(stream=True))
    assert info.value.stage == "output" and info.value.partial and info.value.trace_id


def test_plain_json_error_instead_of_a_stream(server, client):
    server.inject(Fault(kind="json_error_for_stream", code=1008, message="insufficient balance"))
    with pytest.raises(InsufficientBalanceError):
        client.generate(song(stream=True))


STREAM_CORRUPTIONS = [
    pytest.param(Fault(kind="json_for_stream", audio="badhex"), id="json-badhex"),
    pytest.param(Fault(kind="json_for_stream", audio="empty"), id="json-empty"),
    pytest.param(Fault(kind="badhex"), id="events-badhex"),
    pytest.param(Fault(kind="empty_audio"), id="events-empty"),
]


@pytest.mark.parametrize("fault", STREAM_CORRUPTIONS)
def test_a_stream_without_usable_audio_is_never_a_song(server, client, fault):
    server.inject(fault)
    with pytest.raises(CorruptAudioError) as info:
        client.generate(song(stream=True))
    assert info.value.trace_id and info.value.hint and not info.value.partial


def test_a_stream_answered_with_the_whole_song_as_json_is_that_song(server, client):
    server.inject(Fault(kind="json_for_stream"))
    items = list(client.stream(song()))
    assert len(items) == 2 and items[0].data == items[1].audio
    assert sf.info(io.BytesIO(items[1].audio)).duration > 1 and items[1].trace_id


@pytest.mark.parametrize("fault", [None, Fault(kind="json_for_stream")], ids=["events", "json"])
def test_a_stream_gathers_the_song_in_the_callers_buffer(server, client, fault):
    if fault:
        server.inject(fault)
    buf = bytearray()
    for item in client.stream(song(), into=buf):
        if not hasattr(item, "audio"):
            assert len(buf) == item.bytes_received and buf.endswith(item.data)  # there before the Chunk comes
    assert bytes(buf) == item.audio and len(buf) > 1000


CODES = [
    (1004, AuthenticationError), (2049, AuthenticationError), (1008, InsufficientBalanceError),
    (2056, QuotaExceededError), (1028, QuotaExceededError), (1030, QuotaExceededError), (2061, ModelUnavailableError),
    (1026, ContentFlaggedError), (1027, ContentFlaggedError), (2013, InvalidParametersError),
    (1000, ServerError), (1001, ServerError), (1013, ServerError), (1024, ServerError), (1033, ServerError),
]  # fmt: skip


@pytest.mark.parametrize("code,cls", CODES)
def test_every_error_code_maps_to_its_exception(server, client, code, cls):
    server.inject(Fault(kind="code", code=code, message=f"message {code}"))
    with pytest.raises(cls) as info:
        client.generate(song())
    err = info.value
    assert err.code == code and f"message {code}" in str(err) and err.trace_id and err.trace_id in str(err)
    assert err.hint and err.hint in str(err)  # says what to do next
    assert SECRET not in str(err) and SECRET not in repr(err)


@pytest.mark.parametrize("code", [1002, 1039, 2045])
def test_rate_limit_codes_are_retried_then_reported(server, client, sleeps, code):
    server.inject(Fault(kind="code", code=code, message="rate limit"), times=10)
    with pytest.raises(RateLimitError):
        client.generate(song())
    assert len(api_calls(server)) == 4 and len(sleeps) == 3  # 1 try + MAX_RETRIES
    assert sleeps == sorted(sleeps) and max(sleeps) <= RetryPolicy().max_wait


def test_http_429_honours_retry_after_and_succeeds(server, client, sleeps):
    server.inject(Fault(kind="http", http_status=429, retry_after=7), times=2)
    res = client.generate(song())
    assert res.audio and sleeps == [7.0, 7.0] and len(api_calls(server)) == 3


def test_retry_after_is_capped(server, client, sleeps):
    server.inject(Fault(kind="http", http_status=429, retry_after=3600), times=1)
    client.generate(song())
    assert sleeps == [RetryPolicy().max_wait]


@pytest.mark.parametrize(
    "fault,cls",
    [(Fault(kind="http", http_status=401), AuthenticationError), (Fault(kind="http", http_status=403), AuthenticationError),
     (Fault(kind="http", http_status=404), ModelUnavailableError), (Fault(kind="http", http_status=500), ServerError),
     (Fault(kind="html", http_status=502), ServerError), (Fault(kind="badhex"), CorruptAudioError),
     (Fault(kind="empty_audio"), CorruptAudioError)],
)  # fmt: skip
def test_http_failures_map_without_retry(server, client, sleeps, fault, cls):
    server.inject(fault)
    with pytest.raises(cls):
        client.generate(song())
    assert len(api_calls(server)) == 1 and sleeps == []


def test_retired_model_reads_as_unavailable(client):
    with pytest.raises(ModelUnavailableError) as info:
        client.generate(song(model="music-2.0"))
    assert info.value.model == "music-2.0" and "closed its paid Music API" in str(info.value)
    assert "demo engine" in str(info.value)  # and the ways on


def test_connection_refused_is_retried_then_reported(sleeps):
    with StandIn() as s:
        url = s.url  # a port that nothing listens on any more
    with MusicClient(api_key="k", base_url=url, sleep=sleeps.append) as c, pytest.raises(APIConnectionError):
        c.generate(song())
    assert len(sleeps) == RetryPolicy().max_retries


def test_reset_after_sending_is_not_retried(server, client, sleeps):
    server.inject(Fault(kind="reset"), times=5)
    with pytest.raises(APIConnectionError):
        client.generate(song())
    assert len(api_calls(server)) == 1 and sleeps == []


def test_no_resend_after_a_read_timeout(server, sleeps):
    server.inject(Fault(kind="slow", delay_s=1.5), times=5)
    c = MusicClient(api_key="k", base_url=server.url, timeouts=Timeouts(generation=0.3), sleep=sleeps.append)
    with c, pytest.raises(APITimeoutError) as info:
        c.generate(song())
    assert len(api_calls(server)) == 1 and sleeps == []
    assert "not re-sent" in str(info.value)


def test_no_key_fails_before_any_call(server):
    with MusicClient(api_key="", base_url=server.url) as c, pytest.raises(AuthenticationError, match="MINIMAX_API_KEY"):
        c.generate(song())
    assert api_calls(server) == []


def test_wrong_key_message_mentions_region_and_never_the_key():
    with StandIn(api_key="right") as s, MusicClient(api_key=SECRET, base_url=s.url) as c:
        with pytest.raises(AuthenticationError) as info:
            c.generate(song())
    text = str(info.value)
    assert "api.minimaxi.com" in text and SECRET not in text
    assert SECRET not in repr(c) and SECRET not in repr(c.settings)


def test_env_is_read_when_built_and_arguments_win(monkeypatch):
    monkeypatch.setenv("MINIMAX_API_KEY", "from-env")
    monkeypatch.setenv("MINIMAX_BASE_URL", "https://api.minimaxi.com/")
    c = MusicClient()
    assert c.settings.api_key == "from-env" and c.settings.base_url == "https://api.minimaxi.com"
    assert c.settings.region == "cn"
    c2 = MusicClient(api_key="arg", base_url="global")
    assert c2.settings.api_key == "arg" and c2.settings.base_url == "https://api.minimax.io"
    monkeypatch.delenv("MINIMAX_BASE_URL")
    assert MusicClient().settings.base_url == "https://api.minimax.io"
