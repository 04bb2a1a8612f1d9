"""The Music 3 stand-in itself, spoken to with bare httpx: strict like the engine, deterministic, misbehaving on cue."""

import io

import httpx
import pytest
import soundfile as sf

from musicgen.music3.standin import REFUSED, SERVED_MODEL, Music3Fault, Music3StandIn, heard_lyrics

BODY = {
    "model": SERVED_MODEL,
    "input": "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow",
    "instructions": "A melancholic lo-fi hip-hop track with a mellow piano riff at 85 BPM",
    "seed": 42,
    "max_new_tokens": 250,
}


@pytest.fixture(scope="module")
def server():
    with Music3StandIn() as s:
        yield s


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def decode(audio: bytes):
    return sf.read(io.BytesIO(audio), dtype="int16")


def test_answers_32_khz_stereo_16_bit_wav_capped_by_max_new_tokens(http):
    resp = http.post("/v1/audio/speech", json=BODY)
    assert resp.status_code == 200 and resp.headers["content-type"] == "audio/wav"
    info = sf.info(io.BytesIO(resp.content))
    assert (info.samplerate, info.channels, info.subtype) == (32000, 2, "PCM_16")
    assert info.duration == pytest.approx(10.0, abs=0.01)  # 250 frames at 25 a second
    samples, _ = decode(resp.content)
    assert abs(samples).max() > 1000  # music, not silence


def test_same_seed_same_bytes_another_seed_another_take(http):
    first = http.post("/v1/audio/speech", json=BODY).content
    again = http.post("/v1/audio/speech", json=BODY).content
    other = http.post("/v1/audio/speech", json={**BODY, "seed": 43}).content
    assert first == again
    assert other != first


@pytest.mark.parametrize("field", sorted(REFUSED))
def test_refuses_the_fields_the_engine_refuses_naming_them(http, field):
    resp = http.post("/v1/audio/speech", json={**BODY, field: "x"})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["param"] == field and field in error["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stream": True}, "stream"),
        ({"speed": 1.5}, "speed"),
        ({"input": "  "}, "input"),
        ({"instructions": ""}, "instructions"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"max_new_tokens": 9001}, "max_new_tokens"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"response_format": "mp3"}, "response_format"),
        ({"guidance": 2}, "guidance"),
    ],
)
def test_refuses_bad_values_naming_the_field(http, change, field):
    resp = http.post("/v1/audio/speech", json={**BODY, **change})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == field


def test_missing_lyrics_is_refused_and_a_prompt_over_5000_tokens_too(http):
    body = {k: v for k, v in BODY.items() if k != "input"}
    assert http.post("/v1/audio/speech", json=body).json()["error"]["param"] == "input"
    long = http.post("/v1/audio/speech", json={**BODY, "instructions": "word " * 5001})
    assert long.status_code == 400 and "5000" in long.json()["error"]["message"]


def test_another_model_is_not_found(http):
    resp = http.post("/v1/audio/speech", json={**BODY, "model": "MiniMaxAI/Other"})
    assert resp.status_code == 404 and "MiniMaxAI/Other" in resp.json()["error"]["message"]


def test_drops_words_after_a_tag_on_its_line_like_the_engine(http):
    assert heard_lyrics("[Verse] Walking down the street\n[Chorus]\nla la") == "[Verse]\n[Chorus]\nla la"
    dropped = http.post("/v1/audio/speech", json={**BODY, "input": "[Verse] Sunday morning\n[Chorus]\nla la"})
    bare = http.post("/v1/audio/speech", json={**BODY, "input": "[Verse]\n[Chorus]\nla la"})
    assert dropped.content == bare.content  # the words were lost without a word


def test_health_and_starting_engine(server, http):
    assert http.get("/health").status_code == 200
    server.starting = True
    try:
        assert http.get("/health").status_code == 503
        assert http.post("/v1/audio/speech", json=BODY).status_code == 503
    finally:
        server.starting = False


def test_key_checked_when_the_server_has_one():
    with Music3StandIn(api_key="gateway-token") as s:
        assert httpx.post(f"{s.url}/v1/audio/speech", json=BODY).status_code == 401
        ok = httpx.post(f"{s.url}/v1/audio/speech", json=BODY, headers={"Authorization": "Bearer gateway-token"})
        assert ok.status_code == 200


def test_faults_on_request_then_normal_again(server, http):
    server.inject(Music3Fault("http", 500, "CUDA out of memory"))
    resp = http.post("/v1/audio/speech", json=BODY)
    assert resp.status_code == 500 and resp.json()["error"]["message"] == "CUDA out of memory"
    server.inject(Music3Fault("html"))
    assert http.post("/v1/audio/speech", json=BODY).status_code == 502
    assert http.post("/v1/audio/speech", json=BODY).status_code == 200


def test_logs_every_request_as_the_witness(server, http):
    http.post("/v1/audio/speech", json={**BODY, "seed": 7}, headers={"Authorization": "Bearer abc"})
    last = server.requests[-1]
    assert last["method"] == "POST" and last["path"] == "/v1/audio/speech"
    assert last["json"]["seed"] == 7 and last["headers"]["authorization"] == "Bearer abc"
    assert server.generations()[-1]["seed"] == 7
