"""The live route of a launched studio: bytes as they arrive, to the session that made the stream, for a while."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from ui_fixtures import LYRICS, serve_studio, standin_fixture

from musicgen import MusicClient, MusicRequest, StreamTruncatedError
from musicgen.config import RetryPolicy
from musicgen.requests import AudioSetting
from musicgen.standin import Fault
from musicgen.ui import runner
from musicgen.ui.live import LIVE_GRACE_S, LIVE_MAX_READERS, LiveStreams

OWNER = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def app():
    with serve_studio() as (demo, url):
        yield url, demo.live_streams


def test_a_live_url_hands_on_each_piece_as_it_arrives(app):
    url, streams = app
    stream = streams.open(OWNER, "mp3", 44100)
    stream.append(b"ID3-first-piece")
    got: list[bytes] = []
    with httpx.stream("GET", url + stream.url, timeout=10) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg"
        assert "content-length" not in r.headers and r.headers["cache-control"] == "no-store"
        pieces = r.iter_raw()
        got.append(next(pieces))  # the first piece comes while the stream is still running
        assert got == [b"ID3-first-piece"] and stream.ended_at is None
        threading.Timer(0.2, lambda: (stream.append(b"-second"), stream.end())).start()
        got.extend(pieces)  # the response ends when the stream does
    assert b"".join(got) == b"ID3-first-piece-second"


def test_a_late_listener_gets_the_whole_song_from_the_first_byte(app):
    url, streams = app
    stream = streams.open(OWNER, "mp3", 44100)
    stream.append(b"a" * 100_000)
    stream.end(b"a" * 100_000)
    assert httpx.get(url + stream.url, timeout=10).content == b"a" * 100_000


def test_raw_pcm_is_served_as_wav_that_says_it_is_a_stream(app):
    url, streams = app
    stream = streams.open(OWNER, "pcm", 24000, 2)
    stream.append(b"\x01\x00" * 8)
    stream.end()
    r = httpx.get(url + stream.url, timeout=10)
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF" and r.content[4:8] == b"\xff\xff\xff\xff" and r.content[40:44] == b"\xff" * 4
    assert r.content[44:] == b"\x01\x00" * 8


def test_only_the_session_that_made_it_reaches_a_live_url_and_only_while_it_lives(app):
    url, streams = app
    stream = streams.open(OWNER, "mp3", 44100)
    stream.append(b"mine")
    other = "f" * 32
    guessed = LiveStreams().open(OWNER, "mp3", 44100).token  # well-formed, never registered here
    for path in (
        f"live/{other}/{stream.token}",  # another session with the right token
        f"live/{OWNER}/{guessed}",  # this session with a guessed token
        f"live/{OWNER}/{stream.token[:-1]}",  # one character off
        f"live/{OWNER}/{stream.token}x{'0' * 80}",  # overlong
        f"live/{OWNER}",  # no listing of a session's streams
        "live/",
        "live",
    ):
        r = httpx.get(url + path, timeout=10)
        assert r.status_code == 404 and b"mine" not in r.content, path
    stream.end()
    assert httpx.get(url + stream.url, timeout=10).content == b"mine"  # within the grace period
    stream.ended_at = time.monotonic() - LIVE_GRACE_S - 1
    assert httpx.get(url + stream.url, timeout=10).status_code == 404
    assert stream.token not in streams._streams  # forgotten, not only hidden


def test_a_stream_cannot_be_read_by_more_than_a_few_requests_at_once(app):
    url, streams = app
    stream = streams.open(OWNER, "mp3", 44100)
    stream.append(b"x")
    with httpx.Client(timeout=10) as http:
        readers = [http.stream("GET", url + stream.url) for _ in range(LIVE_MAX_READERS)]
        pieces = [reader.__enter__().iter_raw() for reader in readers]  # kept: a dropped iterator hangs up
        assert [next(p) for p in pieces] == [b"x"] * LIVE_MAX_READERS and stream.readers == LIVE_MAX_READERS
        assert http.get(url + stream.url).status_code == 429
        stream.end()
        assert all(list(p) == [] for p in pieces)
        for reader in readers:
            reader.__exit__(None, None, None)
        assert http.get(url + stream.url).content == b"x"  # the readers are gone: the song is there again


def test_a_stream_that_fails_ends_its_response_with_what_arrived(app):
    url, streams = app
    stream = streams.open(OWNER, "mp3", 44100)
    stream.append(b"part")
    threading.Timer(0.2, lambda: stream.end(failed=True)).start()
    assert httpx.get(url + stream.url, timeout=10).content == b"part"


def test_expired_streams_are_pruned_when_new_ones_open():
    now = [0.0]
    streams = LiveStreams(grace_s=5, clock=lambda: now[0])
    old = streams.open(OWNER, "mp3", 44100)
    old.end(now=0.0)
    now[0] = 6.0
    assert streams.find(OWNER, old.token) is None
    streams.open(OWNER, "wav", 44100)
    assert len(streams._streams) == 1


standin = standin_fixture(latency_s=0.0, chunk_bytes=8192)


def stream_request() -> MusicRequest:
    return MusicRequest.song("indie folk", LYRICS, stream=True, audio_setting=AudioSetting(sample_rate=24000))


def test_the_server_keeps_one_copy_of_a_streamed_song(standin):
    live = LiveStreams().open(OWNER, "mp3", 24000)
    client = MusicClient(api_key="k", base_url=standin.url)
    steps = list(runner.run(client, stream_request(), tick_s=0.05, live=live))
    result = steps[-1].result
    # While it arrived, the live buffer was the runner's only copy; once complete the finished song replaces it.
    assert live.ended_at is not None and not live.failed and live.buf is result.audio and len(result.audio) > 8192


def test_a_cut_stream_ends_the_live_response_and_its_bytes_are_the_partial_song(standin):
    standin.inject(Fault(kind="truncate"))
    live = LiveStreams().open(OWNER, "mp3", 24000)
    client = MusicClient(api_key="k", base_url=standin.url, retry=RetryPolicy(max_retries=0))
    with pytest.raises(StreamTruncatedError) as info:
        list(runner.run(client, stream_request(), tick_s=0.05, live=live))
    assert live.failed and live.ended_at is not None and info.value.partial == bytes(live.buf) != b""


def test_stop_ends_the_live_stream(standin):
    standin.configure(chunk_interval_s=0.3)
    try:
        live = LiveStreams().open(OWNER, "mp3", 24000)
        steps = runner.run(MusicClient(api_key="k", base_url=standin.url), stream_request(), tick_s=0.05, live=live)
        next(steps), next(steps)
        steps.close()  # what Gradio's Stop does to the handler's generator
        assert live.failed and live.ended_at is not None
    finally:
        standin.configure(chunk_interval_s=0.0)
