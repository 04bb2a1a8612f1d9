"""POST /v1/music_generation on a running stand-in: JSON envelope, url mode, and event streams."""

from __future__ import annotations

import io
import json
import time

import httpx
import numpy as np
import pytest
import soundfile as sf

from musicgen.standin import StandIn, ToneRenderer

AUTH = {"Authorization": "Bearer test-key"}
LYRICS = "[Verse]\nfirst line\nsecond line\nthird line"  # 3 lines -> the 6 s minimum


def song(**overrides: object) -> dict:
    body = {"model": "music-2.6", "prompt": "dream pop", "lyrics": LYRICS}
    body["audio_setting"] = {"sample_rate": 16000, "bitrate": 64000, "format": "wav"}
    body.update(overrides)
    return body


def post(s: StandIn, body: dict, **kw: object) -> httpx.Response:
    return httpx.post(f"{s.url}/v1/music_generation", json=body, headers=AUTH, timeout=30, **kw)


def read_stream(s: StandIn, body: dict) -> tuple[httpx.Response, list, int, bytes]:
    """(response, events, keep-alive comments, raw body) of a streamed request."""
    with httpx.stream("POST", f"{s.url}/v1/music_generation", json=body, headers=AUTH, timeout=30) as r:
        raw = r.read()
    events, comments = [], 0
    for line in raw.decode().splitlines():
        if line.startswith(":"):
            comments += 1
        elif line.startswith("data:"):
            text = line[5:].strip()
            events.append(text if text == "[DONE]" else json.loads(text))
    return r, events, comments, raw


@pytest.fixture
def standin():
    with StandIn() as s:
        yield s


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_hex_round_trip_decodes_with_the_requested_rate_and_length(standin, fmt):
    setting = {"sample_rate": 24000, "bitrate": 128000, "format": fmt, "channel": 1}
    r = post(standin, song(audio_setting=setting))
    body = r.json()
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert body["base_resp"] == {"status_code": 0, "status_msg": "success"}
    assert body["data"]["status"] == 2 and body["analysis_info"] is None
    assert r.headers["trace-id"] == body["trace_id"] and len(body["trace_id"]) == 32
    audio = bytes.fromhex(body["data"]["audio"])
    y, rate = sf.read(io.BytesIO(audio), always_2d=True)
    assert rate == 24000 and y.shape[1] == 1
    assert abs(len(y) / rate - 6.0) < 0.1  # mp3 adds encoder delay/padding (~50 ms)
    assert body["extra_info"] == {
        "music_duration": 6000,
        "music_sample_rate": 24000,
        "music_channel": 1,
        "bitrate": 128000,
        "music_size": len(audio),
    }


def test_pcm_is_raw_int16_of_the_right_length(standin):
    r = post(standin, song(audio_setting={"sample_rate": 16000, "format": "pcm"}))
    audio = bytes.fromhex(r.json()["data"]["audio"])
    assert len(audio) == 6 * 16000 * 2 * 2  # 6 s, stereo by default, 2 bytes a sample
    samples = np.frombuffer(audio, "<i2")
    assert samples.any() and np.abs(samples).max() < 32767


def test_defaults_are_mp3_44100_256k_stereo(standin):
    r = post(standin, {"model": "music-2.6", "prompt": "ambient", "is_instrumental": True})
    info = r.json()["extra_info"]
    assert info["music_sample_rate"] == 44100 and info["bitrate"] == 256000 and info["music_channel"] == 2
    assert info["music_duration"] == 8000  # instrumental pieces last 8 s
    assert bytes.fromhex(r.json()["data"]["audio"])[:2] == b"\xff\xfb"  # an MPEG-1 layer III frame


def test_identical_requests_are_served_from_the_cache(standin):
    first = post(standin, song()).json()["data"]["audio"]
    assert len(standin.cache) == 1
    assert post(standin, song(stream=False)).json()["data"]["audio"] == first
    assert post(standin, song(prompt="something else")).json()["data"]["audio"] != first


def test_url_mode_serves_the_file_until_it_expires():
    with StandIn(url_ttl_s=0.5) as s:
        body = post(s, song(output_format="url")).json()
        link = body["data"]["audio"]
        assert link.startswith(f"{s.url}/files/") and link.endswith(".wav")
        got = httpx.get(link)
        assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"
        assert len(got.content) == body["extra_info"]["music_size"]
        assert sf.info(io.BytesIO(got.content)).samplerate == 16000
        time.sleep(0.6)
        expired = httpx.get(link)
        assert expired.status_code == 403 and "expired" in expired.text
        assert httpx.get(f"{s.url}/files/nothing.mp3").status_code == 404


def test_url_field_can_be_audio_url():
    with StandIn(url_field="audio_url") as s:
        data = post(s, song(output_format="url")).json()["data"]
        assert "audio" not in data and data["audio_url"].startswith(s.url)


def test_fixed_audio_is_returned_verbatim(standin):
    canned = io.BytesIO()
    sf.write(canned, np.zeros((16000 * 7, 2), "float32"), 16000, format="WAV")
    standin.fixed_audio = canned.getvalue()
    body = post(standin, song()).json()
    assert bytes.fromhex(body["data"]["audio"]) == standin.fixed_audio
    assert body["extra_info"]["music_duration"] == 7000 and body["extra_info"]["music_size"] == len(canned.getvalue())


def test_concurrent_requests_overlap():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    # Each rendering waits until all ten are rendering at once: served one at a time, the first would give up
    # waiting and answer an error. Counted, not timed, so a busy machine only makes it slower.
    together = threading.Barrier(10, timeout=60)

    class Gathering(ToneRenderer):
        def music(self, payload, reference=None):
            together.wait()
            return super().music(payload, reference)

    with StandIn(Gathering()) as s:
        with ThreadPoolExecutor(10) as pool:
            bodies = list(pool.map(lambda i: post(s, song(prompt=f"tune {i}")).json(), range(10)))
    assert [b["base_resp"]["status_code"] for b in bodies] == [0] * 10


# -- streaming -------------------------------------------------------------------------------------------------


def whole_file(s: StandIn) -> bytes:
    return bytes.fromhex(post(s, song()).json()["data"]["audio"])


@pytest.mark.parametrize("shape", ["aggregate", "tail", "empty"])
def test_stream_shapes(shape):
    with StandIn(stream_shape=shape, chunk_bytes=20000) as s:
        expected = whole_file(s)
        r, events, comments, _ = read_stream(s, song(stream=True))
    assert r.headers["content-type"] == "text/event-stream" and comments >= 1
    *chunks, last = events
    assert all(e["data"]["status"] == 1 and e["extra_info"] is None for e in chunks)
    assert all(e["trace_id"] == r.headers["trace-id"] for e in events)
    streamed = b"".join(bytes.fromhex(e["data"]["audio"]) for e in chunks)
    tail = bytes.fromhex(last["data"]["audio"])
    assert last["data"]["status"] == 2 and last["extra_info"]["music_size"] == len(expected)
    if shape == "aggregate":
        assert streamed == expected and tail == expected
    elif shape == "tail":
        assert streamed + tail == expected and 0 < len(tail) <= 20000
    else:
        assert streamed == expected and tail == b""


def test_stream_done_marker_and_crlf_line_endings():
    with StandIn(stream_done=True, crlf=True) as s:
        _, events, _, raw = read_stream(s, song(stream=True))
    assert events[-1] == "[DONE]" and events[-2]["data"]["status"] == 2
    assert raw.count(b"\r\n\r\n") >= len(events) and b"\n\n" not in raw.replace(b"\r\n", b"")


def test_stream_read_until_close_framing():
    with StandIn(sse_framing="close") as s:
        r, events, _, _ = read_stream(s, song(stream=True))
    assert r.headers["connection"] == "close" and "transfer-encoding" not in r.headers
    assert events[-1]["data"]["status"] == 2


def test_streamed_mp3_decodes_fully():
    with StandIn(stream_shape="tail", chunk_bytes=4096) as s:
        body = song(stream=True, audio_setting={"sample_rate": 44100, "format": "mp3"})
        _, events, _, _ = read_stream(s, body)
    audio = b"".join(bytes.fromhex(e["data"]["audio"]) for e in events)
    assert len(events) > 10
    y, rate = sf.read(io.BytesIO(audio))
    assert rate == 44100 and abs(len(y) / rate - 6.0) < 0.1
    first, _ = sf.read(io.BytesIO(bytes.fromhex(events[0]["data"]["audio"])))
    assert len(first) > 0  # the first piece alone is already playable


def test_validation_errors_on_stream_requests_come_back_as_json(standin):
    r = post(standin, song(stream=True, output_format="url"))
    assert r.headers["content-type"] == "application/json"
    assert r.json()["base_resp"]["status_code"] == 2013 and "output_format" in r.json()["base_resp"]["status_msg"]


def test_chunk_interval_spaces_the_events():
    with StandIn(chunk_interval_s=0.05, chunk_bytes=50000) as s:
        start = time.perf_counter()
        _, events, _, _ = read_stream(s, song(stream=True))
        elapsed = time.perf_counter() - start
    assert elapsed >= 0.05 * (len(events) - 1)
