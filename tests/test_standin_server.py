"""The stand-in as a server: auth, routes, the request log, cover preprocessing and lyrics, lifecycle."""

from __future__ import annotations

import base64
import io
import json

import httpx
import numpy as np
import pytest
import soundfile as sf

from musicgen.standin import StandIn

KEY = "sk-api-test"
AUTH = {"Authorization": f"Bearer {KEY}"}


def reference_wav(seconds: float, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buf = io.BytesIO()
    sf.write(buf, (0.2 * np.sin(2 * np.pi * 330 * t)).astype("float32"), rate, format="WAV")
    return buf.getvalue()


@pytest.fixture(scope="module")
def standin():
    with StandIn(api_key=KEY, fetch_local=True) as s:
        yield s


def call(s: StandIn, path: str, body: dict, headers: dict | None = AUTH) -> httpx.Response:
    return httpx.post(f"{s.url}{path}", json=body, headers=headers, timeout=20)


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (None, 1004),
        ({"Authorization": "Bearer"}, 1004),
        ({"Authorization": KEY}, 1004),
        ({"Authorization": "Bearer x"}, 2049),
    ],
)
def test_auth_failures_are_business_errors(standin, headers, code):
    r = call(standin, "/v1/lyrics_generation", {"mode": "write_full_song"}, headers)
    body = r.json()
    assert r.status_code == 200 and body["base_resp"]["status_code"] == code
    assert r.headers["trace-id"] == body["trace_id"]
    if code == 1004:
        assert "Authorization" in body["base_resp"]["status_msg"]
    else:
        assert body["base_resp"]["status_msg"] == "invalid api key"


def test_any_key_is_accepted_without_api_key():
    with StandIn() as s:
        r = call(s, "/v1/lyrics_generation", {"mode": "write_full_song"}, {"Authorization": "Bearer whatever"})
        assert r.json()["base_resp"]["status_code"] == 0


def test_unknown_paths_and_methods_are_plain_text(standin):
    r = httpx.post(f"{standin.url}/v1/music_generate", json={}, headers=AUTH)
    assert (
        r.status_code == 404 and r.text == "404 page not found" and r.headers["content-type"].startswith("text/plain")
    )
    assert httpx.get(f"{standin.url}/v1/music_generation").status_code == 405


def test_request_log_records_method_path_headers_and_json(standin):
    standin.reset()
    call(standin, "/v1/lyrics_generation", {"mode": "write_full_song", "prompt": "x"})
    (entry,) = standin.requests
    assert entry["method"] == "POST" and entry["path"] == "/v1/lyrics_generation"
    assert (
        entry["headers"]["authorization"] == f"Bearer {KEY}" and entry["headers"]["content-type"] == "application/json"
    )
    assert entry["json"] == {"mode": "write_full_song", "prompt": "x"}


def test_lyrics_generation_shape(standin):
    body = call(standin, "/v1/lyrics_generation", {"mode": "write_full_song", "prompt": "summer by the sea"}).json()
    assert set(body) == {"song_title", "style_tags", "lyrics", "trace_id", "base_resp"}
    assert body["song_title"] == "Summer By The Sea" and "[Chorus]" in body["lyrics"]
    edited = call(standin, "/v1/lyrics_generation", {"mode": "edit", "lyrics": "[Verse]\nmine", "title": "Mine"}).json()
    assert edited["song_title"] == "Mine" and edited["lyrics"].startswith("[Verse]\nmine")


def test_preprocess_then_cover_by_feature_id(standin):
    ref = reference_wav(7.0)
    body = call(
        standin,
        "/v1/music_cover_preprocess",
        {"model": "music-cover", "audio_base64": base64.b64encode(ref).decode()},
    ).json()
    assert body["base_resp"]["status_code"] == 0
    assert set(body) == {
        "cover_feature_id",
        "formatted_lyrics",
        "structure_result",
        "audio_duration",
        "trace_id",
        "base_resp",
    }
    structure = json.loads(body["structure_result"])  # a JSON string, as documented
    assert 2 <= structure["num_segments"] == len(structure["segments"]) <= 4
    assert body["audio_duration"] == pytest.approx(7.0, abs=0.01)
    cover = {
        "model": "music-cover",
        "prompt": "slow piano version",
        "lyrics": body["formatted_lyrics"][:1000],
        "cover_feature_id": body["cover_feature_id"],
        "audio_setting": {"format": "wav", "sample_rate": 16000},
    }
    result = call(standin, "/v1/music_generation", cover).json()
    assert result["base_resp"]["status_code"] == 0 and result["extra_info"]["music_duration"] == 7000
    missing = call(standin, "/v1/music_generation", {**cover, "cover_feature_id": "0" * 32}).json()
    assert missing["base_resp"] == {
        "status_code": 2013,
        "status_msg": "invalid params, cover_feature_id not found or expired",
    }


def test_cover_from_a_local_url_and_refusal_of_remote_ones(standin):
    link = call(
        standin,
        "/v1/music_generation",
        {"model": "music-2.6", "prompt": "drone", "is_instrumental": True, "output_format": "url"},
    ).json()["data"]["audio"]
    cover = {"model": "music-cover", "prompt": "folk rendition", "audio_url": link}
    result = call(standin, "/v1/music_generation", {**cover, "audio_setting": {"format": "pcm"}}).json()
    assert result["extra_info"]["music_duration"] == pytest.approx(8000, abs=60)  # the 8 s reference's length
    remote = call(standin, "/v1/music_generation", {**cover, "audio_url": "https://example.com/a.mp3"}).json()
    assert remote["base_resp"]["status_code"] == 2013 and "127.0.0.1" in remote["base_resp"]["status_msg"]


@pytest.mark.parametrize(
    ("audio", "words"),
    [(reference_wav(3.0), "6 s to 6 min"), (b"not audio at all", "could not be decoded"), (None, "base64")],
)
def test_preprocess_refuses_bad_references(standin, audio, words):
    encoded = base64.b64encode(audio).decode() if audio else "***"
    body = call(standin, "/v1/music_cover_preprocess", {"model": "music-cover", "audio_base64": encoded}).json()
    assert body["base_resp"]["status_code"] == 2013 and words in body["base_resp"]["status_msg"]
    assert "audio_base64" in body["base_resp"]["status_msg"]


def test_preprocess_requires_the_music_cover_model(standin):
    body = call(standin, "/v1/music_cover_preprocess", {"model": "music-2.6", "audio_url": "http://127.0.0.1/x"}).json()
    assert body["base_resp"]["status_code"] == 2013 and "model" in body["base_resp"]["status_msg"]


def test_retired_model_answer(standin):
    body = call(standin, "/v1/music_generation", {"model": "music-1.5", "lyrics": "x"}).json()
    assert body["base_resp"] == {"status_code": 2013, "status_msg": "model music-1.5 is no longer supported"}


def test_lifecycle_and_settings_checks():
    s = StandIn()
    with pytest.raises(RuntimeError):
        _ = s.url
    with s:
        url = s.url
        assert s.running and url.startswith("http://127.0.0.1:")
        with httpx.Client() as client:
            assert client.get(f"{url}/nope").status_code == 404
            s.stop()
            assert not s.running
            with pytest.raises(httpx.TransportError):
                client.get(f"{url}/nope")  # even the pooled keep-alive connection is gone
    with pytest.raises(ValueError):
        StandIn(stream_shape="whole")
    with pytest.raises(ValueError):
        StandIn(url_field="link")
