"""The launched studio driven through gradio_client: every endpoint, one session's two-step cover, each error."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import soundfile as sf
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from ui_fixtures import LYRICS, StandInFactory, api_client, launched, reset_standin, standin_fixture, write_reference

from musicgen import providers
from musicgen.standin import Fault
from musicgen.ui import build_app

ENDPOINTS = {
    "/song": ["prompt", "lyrics", "lyrics_optimizer", "model", "format", "sample_rate", "bitrate", "stream", "seed",
              "max_seconds", "takes"],
    "/instrumental": ["prompt", "model", "format", "sample_rate", "bitrate", "stream", "seed", "max_seconds",
                      "takes"],
    "/cover_preprocess": ["audio", "audio_url"],
    "/cover": ["prompt", "lyrics", "model", "cover_feature_id", "audio", "audio_url", "format", "sample_rate",
               "bitrate", "stream", "takes"],
    "/lyrics": ["prompt", "lyrics", "mode", "title"],
    "/music01_upload": ["audio", "purpose"],
    "/music01": ["lyrics", "refer_voice", "refer_instrumental", "accompaniment", "format"],
}  # fmt: skip


standin = standin_fixture(latency_s=0.0)


@pytest.fixture(scope="module")
def demo(standin):
    return build_app(StandInFactory(standin), concurrency=20)


@pytest.fixture(scope="module")
def url(demo):
    with launched(demo) as u:
        yield u


@pytest.fixture
def stand(standin):
    return reset_standin(standin)


def calls(standin) -> list[dict]:
    return [r for r in standin.requests if r["path"].startswith("/v1/")]


def test_named_endpoints_take_the_apis_field_names(url, tmp_path):
    info = api_client(url, tmp_path).view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(ENDPOINTS) <= set(info)
    for name, params in ENDPOINTS.items():
        assert [p["parameter_name"] for p in info[name]["parameters"]] == params
        assert all(p["parameter_has_default"] for p in info[name]["parameters"]), name  # scripts may omit any
    assert [r["label"].lower() for r in info["/song"]["returns"]][:4] == ["live", "song", "download", "metadata"]
    assert len(info) == len(ENDPOINTS)  # UI helpers stay private


def test_streamed_song_returns_the_whole_file_and_metadata(url, tmp_path, stand):
    job = api_client(url, tmp_path).submit(prompt="Indie folk", lyrics=LYRICS, api_name="/song")
    _, song, download, meta, _ = job.result()
    # On the way the live output was the live player's HTML; its URL serves this session the song's bytes as they
    # arrived (for a grace period after the end), and nobody else.
    live = next(out[0] for out in job.outputs() if isinstance(out[0], str) and "<audio" in out[0])
    src = re.search(r'src="(live/[^"]+)"', live).group(1)
    assert httpx.get(url + src, timeout=10).content == Path(download).read_bytes()
    _, owner, token = src.split("/")
    assert httpx.get(f"{url}live/{'0' * len(owner)}/{token}", timeout=10).status_code == 404
    data, rate = sf.read(download)
    assert song == download and rate == meta["sample_rate"] == 44100
    assert len(data) / rate == pytest.approx(meta["duration_s"], abs=0.1)
    assert calls(stand)[-1]["json"]["stream"] is True


def test_visitors_streaming_the_same_song_at_once_all_get_it(url, tmp_path, stand):
    """The demo engine is deterministic, so visitors who click the same preset stream identical chunks together."""
    stand.configure(chunk_bytes=8192, chunk_interval_s=0.02, latency_s=0.3)
    clients = [api_client(url, tmp_path / str(i)) for i in range(8)]
    with ThreadPoolExecutor(len(clients)) as pool:
        jobs = [pool.submit(c.predict, prompt="Indie folk", lyrics=LYRICS, api_name="/song") for c in clients]
        results = [job.result(timeout=120) for job in jobs]  # a visitor whose stream broke raises AppError here
    for *_, download, meta, _ in results:
        assert sf.info(download).duration == pytest.approx(meta["duration_s"], abs=0.1)


def test_demo_backend_results_are_labelled_everywhere(url, tmp_path):
    *_, download, meta, info = api_client(url, tmp_path).predict(
        prompt="Lo-fi", format="wav", stream=False, api_name="/instrumental"
    )
    assert meta["provider"] == "demo" and meta["label"] == providers.DEMO_LABEL and providers.DEMO_LABEL in info
    assert "instrumental-demo-engine-" in download and sf.info(download).format == "WAV"


def test_lyrics_endpoint_writes_lyrics_title_and_tags(url, tmp_path):
    lyrics, title, tags = api_client(url, tmp_path).predict(prompt="a summer road trip", api_name="/lyrics")
    assert "[Chorus]" in lyrics and title and tags


def test_two_step_cover_in_one_session(url, tmp_path, stand):
    c = api_client(url, tmp_path)
    ref = write_reference(tmp_path / "ref.wav")
    feature_id, lyrics, analysis, _ = c.predict(audio=handle_file(str(ref)), api_name="/cover_preprocess")
    assert feature_id and analysis["segments"] and lyrics
    edited = "[Verse]\nNew words for an old tune tonight\n[Chorus]\nSing it my way"
    # No cover_feature_id passed: the session remembers the analysed reference.
    *_, download, meta, _ = c.predict(
        prompt="Acoustic folk, warm vocals", lyrics=edited, stream=False, api_name="/cover"
    )
    assert calls(stand)[-1]["json"]["cover_feature_id"] == feature_id and sf.info(download).duration > 0
    *_, meta2, _ = c.predict(prompt="Dreamy synthwave, airy vocals", lyrics=edited, stream=False, api_name="/cover")
    assert meta2["kind"] == "cover" and sum(r["path"].endswith("preprocess") for r in calls(stand)) == 1
    with pytest.raises(AppError, match="analyse a reference first"):
        api_client(url, tmp_path).predict(prompt="Another visitor's style", lyrics=edited, api_name="/cover")


def test_one_step_cover_with_the_audio_itself(url, tmp_path, stand):
    ref = write_reference(tmp_path / "ref.wav")
    with pytest.raises(AppError, match="audio_url: must be"):
        api_client(url, tmp_path).predict(
            prompt="Jazz trio, brushed drums", audio_url="file:///etc/passwd", api_name="/cover"
        )
    *_, meta, _ = api_client(url, tmp_path).predict(
        prompt="Jazz trio, brushed drums", audio=handle_file(str(ref)), stream=False, api_name="/cover"
    )
    assert "lyrics" not in calls(stand)[-1]["json"] and meta["model"] == "music-cover"


@pytest.mark.parametrize(
    ("fault", "title", "says"),
    [
        (Fault(kind="code", code=1004), "API key not accepted", "Settings tab"),
        (Fault(kind="http", http_status=429, retry_after=20), "Rate limited: wait 20 s", "Wait about 20 s"),
        (Fault(kind="code", code=1008), "Balance too low", "top it up"),
        (Fault(kind="code", code=1027), "Content flagged", "The generated song was flagged"),
        (Fault(kind="code", code=2013, message="invalid params, lyrics too long"), "Invalid parameters", "lyrics"),
    ],
)
def test_each_failure_reaches_scripts_as_a_clear_message(url, tmp_path, stand, fault, title, says):
    stand.inject(fault)
    with pytest.raises(AppError) as err:
        api_client(url, tmp_path).predict(prompt="pop", lyrics=LYRICS, stream=False, api_name="/song")
    assert err.value.title == title and says in str(err.value) and "trace id" in str(err.value)


def test_input_is_checked_before_any_call(url, tmp_path, stand):
    with pytest.raises(AppError) as err:
        api_client(url, tmp_path).predict(prompt="pop", lyrics=LYRICS, bitrate="999", api_name="/song")
    assert err.value.title == "Check the form" and "audio_setting.bitrate" in str(err.value)
    assert calls(stand) == []


def test_partial_audio_of_a_broken_stream_is_returned(url, tmp_path, stand):
    stand.configure(chunk_bytes=8192)
    stand.inject(Fault(kind="truncate"))
    job = api_client(url, tmp_path).submit(prompt="pop", lyrics=LYRICS, api_name="/song")
    with pytest.raises(AppError, match="-partial.mp3"):
        job.result()
    kept = [o for o in job.outputs() if isinstance(o[2], str)][-1]
    assert kept[3]["partial"] is True and sf.info(kept[2]).duration > 0


def test_generations_from_different_visitors_run_side_by_side(url, tmp_path, stand):
    latency = 3.0
    stand.configure(latency_s=latency)
    visitors = [api_client(url, tmp_path / str(i)) for i in range(3)]
    jobs = [c.submit(prompt="Lo-fi", stream=False, api_name="/instrumental") for c in visitors]
    for job in jobs:
        assert job.result(timeout=60)[3]["kind"] == "instrumental"
    arrivals = sorted(r["at"] for r in calls(stand))
    assert len(arrivals) == 3
    # All three reached MiniMax while the first was still being answered; one at a time, each would arrive only
    # after the previous one's `latency` had passed. (Speed itself is measured in benchmarks/bench_studio.py.)
    assert arrivals[-1] - arrivals[0] < latency


def test_generation_events_share_one_concurrency_group(demo):
    fns = {fn.api_name: fn for fn in demo.fns.values()}
    generation = [fns[n] for n in ("song", "instrumental", "cover")]
    assert len({fn.concurrency_id for fn in generation}) == 1
    assert {fn.concurrency_limit for fn in generation} == {20}
