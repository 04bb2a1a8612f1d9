"""Injected faults: each kind misbehaves as documented, for the right number of requests, on API routes only."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from musicgen.standin import FAULT_KINDS, Fault, StandIn
from musicgen.standin.faults import FaultQueue, fault_from_json

AUTH = {"Authorization": "Bearer k"}
SONG = {
    "model": "music-2.6",
    "lyrics": "one\ntwo\nthree",
    "audio_setting": {"sample_rate": 16000, "format": "wav"},
}
LYRICS_REQ = {"mode": "write_full_song", "prompt": "rain"}


@pytest.fixture(scope="module")
def standin():
    with StandIn(chunk_bytes=8192) as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(standin):
    standin.reset()
    yield
    standin.clear_faults()


def post(s: StandIn, body: dict = SONG, path: str = "/v1/music_generation") -> httpx.Response:
    return httpx.post(f"{s.url}{path}", json=body, headers=AUTH, timeout=10)


def stream_events(s: StandIn) -> tuple[httpx.Response, list]:
    with httpx.stream("POST", f"{s.url}/v1/music_generation", json={**SONG, "stream": True}, headers=AUTH) as r:
        raw = r.read()
    lines = [ln[5:].strip() for ln in raw.decode().splitlines() if ln.startswith("data:")]
    return r, [json.loads(t) for t in lines if t != "[DONE]"]


def test_code_fault_is_a_business_error_with_http_200(standin):
    standin.inject(Fault("code", code=1002), times=2)
    for _ in range(2):
        body = post(standin).json()
        assert body["base_resp"] == {"status_code": 1002, "status_msg": "rate limit exceeded(RPM)"}
        assert "data" not in body and len(body["trace_id"]) == 32
    assert post(standin).json()["base_resp"]["status_code"] == 0


@pytest.mark.parametrize("status", [401, 403, 404, 429, 500])
def test_http_fault_sends_the_status_with_a_json_envelope(standin, status):
    standin.inject(Fault("http", http_status=status, retry_after=2 if status == 429 else None))
    r = post(standin)
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    assert r.json()["base_resp"]["status_code"] == status
    assert r.headers.get("retry-after") == ("2" if status == 429 else None)


def test_html_fault_is_a_gateway_page(standin):
    standin.inject(Fault("html", http_status=503))
    r = post(standin, LYRICS_REQ, "/v1/lyrics_generation")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
    assert "<h1>503 Service Unavailable</h1>" in r.text
    standin.inject(Fault("html"))
    assert post(standin).status_code == 502


def test_reset_fault_drops_the_connection(standin):
    standin.inject(Fault("reset"))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(standin)
    assert standin.requests[-1]["json"] == SONG  # the request was read before the hang-up
    assert post(standin).status_code == 200


def test_truncate_fault_cuts_a_json_body_short(standin):
    standin.inject(Fault("truncate"))
    with pytest.raises(httpx.RemoteProtocolError):
        post(standin)


def test_badhex_and_empty_audio_faults(standin):
    standin.inject(Fault("badhex"))
    audio = post(standin).json()["data"]["audio"]
    with pytest.raises(ValueError):
        bytes.fromhex(audio)
    assert len(audio) % 2 == 1
    standin.inject(Fault("empty_audio"))
    body = post(standin).json()
    assert body["data"]["audio"] == "" and body["base_resp"]["status_code"] == 0


def test_slow_fault_delays_the_answer(standin):
    standin.inject(Fault("slow", delay_s=0.4))
    start = time.perf_counter()
    assert post(standin, LYRICS_REQ, "/v1/lyrics_generation").status_code == 200
    assert time.perf_counter() - start >= 0.4


def test_json_error_for_stream_answers_a_stream_request_with_json(standin):
    standin.inject(Fault("json_error_for_stream", code=1008))
    r, events = stream_events(standin)
    assert r.headers["content-type"] == "application/json" and events == []
    assert json.loads(r.read())["base_resp"]["status_code"] == 1008


@pytest.mark.parametrize("audio", ["ok", "badhex", "empty"])
def test_json_for_stream_answers_a_stream_request_with_the_whole_song_as_json(standin, audio):
    standin.inject(Fault("json_for_stream", audio=audio))
    r, events = stream_events(standin)
    assert r.headers["content-type"] == "application/json" and events == []
    value = json.loads(r.read())["data"]["audio"]
    if audio == "ok":
        assert len(bytes.fromhex(value)) > 1000
    elif audio == "empty":
        assert value == ""
    else:
        with pytest.raises(ValueError):
            bytes.fromhex(value)


def test_a_fault_with_unknown_audio_is_refused():
    with pytest.raises(ValueError, match="audio"):
        Fault("json_for_stream", audio="silence")


def test_stream_truncate_ends_without_the_terminal_frame(standin):
    standin.inject(Fault("truncate"))
    r, events = stream_events(standin)
    assert r.headers["content-type"] == "text/event-stream"
    assert 1 <= len(events) <= 2 and all(e["data"]["status"] == 1 for e in events)


def test_stream_error_sends_chunks_then_a_failing_event(standin):
    standin.inject(Fault("stream_error", code=1024))
    _, events = stream_events(standin)
    assert [e["data"]["status"] for e in events[:-1]] == [1, 1]
    assert events[-1]["base_resp"] == {"status_code": 1024, "status_msg": "internal error"}


def test_stream_badhex_and_empty_audio(standin):
    standin.inject(Fault("badhex"))
    _, events = stream_events(standin)
    with pytest.raises(ValueError):
        bytes.fromhex(events[0]["data"]["audio"])
    standin.inject(Fault("empty_audio"))
    _, events = stream_events(standin)
    assert len(events) == 1 and events[0]["data"] == {"audio": "", "status": 2}


def test_stream_slow_fault_spaces_chunks(standin):
    standin.inject(Fault("slow", delay_s=0.05))
    standin.chunk_bytes = 100_000
    try:
        start = time.perf_counter()
        _, events = stream_events(standin)
        assert time.perf_counter() - start >= 0.05 * (len(events) - 1) > 0
    finally:
        standin.chunk_bytes = 8192


def test_faults_skip_files_and_control_routes_and_unknown_paths(standin):
    link = post(standin, {**SONG, "output_format": "url"}).json()["data"]["audio"]
    standin.inject(Fault("http", http_status=500))
    assert httpx.get(link).status_code == 200
    assert httpx.post(f"{standin.url}/v2/nothing", json={}).status_code == 404
    assert len(standin.faults) == 1
    assert post(standin).status_code == 500


def test_control_routes_inject_and_reset(standin):
    r = httpx.post(f"{standin.url}/_standin/fault", json={"kind": "code", "code": 2056, "times": 2})
    assert r.json() == {"ok": True, "queued_faults": 2}
    assert post(standin).json()["base_resp"]["status_code"] == 2056
    assert httpx.post(f"{standin.url}/_standin/fault", json={"kind": "nope"}).status_code == 400
    assert httpx.post(f"{standin.url}/_standin/reset").json()["queued_faults"] == 0
    assert standin.requests == []
    assert post(standin).json()["base_resp"]["status_code"] == 0
    assert all(not r["path"].startswith("/_standin") for r in standin.requests)


def test_config_route_changes_settings(standin):
    r = httpx.post(f"{standin.url}/_standin/config", json={"stream_shape": "empty"})
    assert r.status_code == 200
    try:
        _, events = stream_events(standin)
        assert events[-1]["data"]["audio"] == ""
        assert httpx.post(f"{standin.url}/_standin/config", json={"stream_shape": "x"}).status_code == 400
    finally:
        standin.configure(stream_shape="aggregate")


def test_fault_definitions():
    assert len(FAULT_KINDS) == 11
    with pytest.raises(ValueError):
        Fault("explode")
    fault, times = fault_from_json({"kind": "http", "http_status": 429, "retry_after": 1.5, "times": 3})
    assert (fault.status(), times) == (429, 3)
    with pytest.raises(ValueError):
        fault_from_json({"kind": "code", "colour": "red"})
    queue = FaultQueue()
    queue.push(Fault("code"), 2)
    queue.push(Fault("reset"))
    assert [f.kind for f in (queue.pop(), queue.pop(), queue.pop())] == ["code", "code", "reset"]
    assert queue.pop() is None


def test_a_fault_meant_for_one_kind_of_request_waits_for_it_and_keeps_its_place():
    queue: FaultQueue[Fault] = FaultQueue()
    queue.push(Fault("reset"), 2)
    queue.push(Fault("code"))
    assert len(queue) == 3
    assert queue.pop(lambda f: f.kind == "code").kind == "code"  # skips the resets, which stay queued
    assert queue.pop(lambda f: f.kind == "code") is None
    assert [f.kind for f in (queue.pop(), queue.pop())] == ["reset", "reset"] and len(queue) == 0
