"""The AI/ML API client against the local proxy stand-in, on loopback; polling runs on a shared virtual clock."""

import io
import statistics

import pytest
import soundfile as sf
from pydantic import ValidationError

from musicgen import (
    APITimeoutError,
    ModelUnavailableError,
    MusicRequest,
)
from musicgen.aimlapi import (
    AimlApiClient,
    PollPolicy,
    proxy_payload,
)
from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan
from musicgen.requests import AudioSetting, LyricsRequest

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nPushing the wooden door"
PROMPT = "indie folk, melancholic"
SECRET = "aiml-very-secret-key-123"


@pytest.fixture
def server(clock):
    with ProxyStandIn(api_key=SECRET, clock=clock.now, audio_s=0.5, default_plan=TaskPlan(2.0, 20.0)) as s:
        yield s


@pytest.fixture
def client(server, clock, sleeps):
    with AimlApiClient(SECRET, server.url, clock=clock.now, sleep=sleeps) as c:
        yield c


def song(fmt="wav", **kw):
    return MusicRequest.song(PROMPT, LYRICS, audio_setting=AudioSetting(format=fmt, sample_rate=24000), **kw)


def calls(server, method=None, path="/v2/generate/audio"):
    return [r for r in server.requests if r["path"] == path and (method is None or r["method"] == method)]


# -- the round trip -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_song_is_submitted_polled_and_downloaded_with_its_usage(client, server, fmt):
    res = client.generate(song(fmt))
    data, rate = sf.read(io.BytesIO(res.audio))
    assert rate == res.sample_rate == 24000 and res.format == fmt
    assert res.duration_s == pytest.approx(0.5, abs=0.1)
    assert res.provider == "aimlapi" and res.model == "music-2.6" and res.url.endswith(f".{fmt}")
    task_id = res.extra["generation_id"]
    assert res.extra == {"credits_used": 390000, "usd_spent": 0.195, "generation_id": task_id}
    assert res.metadata()["usd_spent"] == 0.195  # what the studio and the library show


@pytest.mark.parametrize(
    ("model", "sent"),
    [
        ("music-2.6", "minimax/music-2.6"),
        ("music-2.0", "minimax/music-2.0"),
        ("minimax/music-2.6", "minimax/music-2.6"),
    ],
)
def test_request_maps_onto_the_proxy_schema(client, server, model, sent):
    client.generate(song(model=model, stream=True))
    body = calls(server, "POST")[0]["json"]
    assert body == {
        "model": sent,
        "prompt": PROMPT,
        "lyrics": LYRICS,
        "audio_setting": {"sample_rate": 24000, "bitrate": 256000, "format": "wav"},
    }


def test_progress_shows_queued_generating_and_elapsed_time(client):
    seen = []
    client.generate(song(), on_progress=seen.append)
    stages = [p.stage for p in seen]
    assert stages[0] == "sending" and stages[-2:] == ["downloading", "done"]
    assert {"queued", "generating", "completed"} <= set(stages)
    assert stages.index("queued") < stages.index("generating") < stages.index("completed")
    elapsed = [p.elapsed_s for p in seen]
    assert elapsed == sorted(elapsed) and 22.0 <= elapsed[-1] <= 24.0  # queued 2 s + generating 20 s, on the clock
    assert seen[-1].bytes_received > 0


def test_stream_is_delivered_whole_as_one_chunk(client):
    chunks = []
    res = client.generate(song(stream=True), on_chunk=chunks.append)
    assert len(chunks) == 1 and chunks[0].data == res.audio
    items = list(client.stream(song()))
    assert [type(i).__name__ for i in items] == ["Chunk", "MusicResult"] and items[0].data == items[1].audio


# -- polling ------------------------------------------------------------------------------------------------------


def test_poll_schedule_starts_quick_backs_off_and_is_capped():
    waits = PollPolicy().intervals()
    first = [round(next(waits), 3) for _ in range(9)]
    assert first[:4] == [0.5, 0.65, 0.845, 1.099] and first[-1] == 2.0 and first == sorted(first)
    fixed = PollPolicy.fixed(15.0).intervals()
    assert [next(fixed) for _ in range(3)] == [15.0, 15.0, 15.0]


def test_completion_is_noticed_within_about_a_second_on_median(client, server):
    ids = []
    for seconds in range(30, 180, 10):  # 15 songs across the range of real generation times
        server.plan(TaskPlan(queued_s=3.0, generating_s=seconds - 3.0))
        ids.append(client.generate(song()).extra["generation_id"])
    delays = [server.tasks[i].downloads[0] - server.tasks[i].done_at for i in ids]
    assert statistics.median(delays) <= 1.3 and max(delays) <= 2.0 + 1e-9  # never more than the 2 s cap
    per_minute = [
        len(server.requests_for(i)) / ((server.tasks[i].downloads[0] - server.tasks[i].created) / 60) for i in ids
    ]
    assert statistics.mean(per_minute) < 40  # ~30 polls a minute at the cap, not a hammering


def test_completion_is_noticed_on_the_wall_clock_too():
    with ProxyStandIn(api_key=SECRET, audio_s=0.3, default_plan=TaskPlan(queued_s=0.3, generating_s=1.2)) as real:
        with AimlApiClient(SECRET, real.url) as c:
            res = c.generate(song())
        task = real.tasks[res.extra["generation_id"]]
        assert 0 <= task.downloads[0] - task.done_at < 2.5  # typically ~0.6 s; generous for a busy 2-core box


def test_total_timeout_names_the_task_and_it_can_be_fetched_later(server, clock, sleeps):
    server.plan(TaskPlan(queued_s=5.0, generating_s=115.0))
    with AimlApiClient(SECRET, server.url, clock=clock.now, sleep=sleeps, poll=PollPolicy(total_timeout=60)) as c:
        with pytest.raises(APITimeoutError) as err:
            c.generate(song())
        task_id = next(iter(server.tasks))
        assert task_id in str(err.value) and "generating" in str(err.value) and f"wait('{task_id}')" in err.value.hint
        assert 60 <= clock.now() < 61  # gave up on time, not a poll interval later
        clock.sleep(100)
        res = c.wait(task_id)  # resumes from the id alone
    assert res.audio and res.format == "wav" and res.extra["generation_id"] == task_id


def test_download_carries_no_authorization_header(client, server):
    client.generate(song())
    downloads = [r for r in server.requests if r["path"].startswith("/files/")]
    assert len(downloads) == 1 and "authorization" not in downloads[0]["headers"]
    assert all(r["headers"]["authorization"] == f"Bearer {SECRET}" for r in calls(server))


# -- what the proxy cannot do, refused before any call ------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (lambda: MusicRequest.instrumental(PROMPT), "is_instrumental"),
        (lambda: MusicRequest.song(PROMPT, lyrics_optimizer=True), "lyrics_optimizer"),
        (lambda: MusicRequest.cover(PROMPT, audio_url="https://example.com/a.mp3"), "model"),
        (lambda: song(model="music-2.6-free"), "model"),
        (lambda: song(aigc_watermark=True), "aigc_watermark"),
    ],
)
def test_features_the_proxy_lacks_are_refused_naming_the_field(client, server, request_, field):
    seen = []
    with pytest.raises(ValidationError) as err:
        client.generate(request_(), on_progress=seen.append)
    assert err.value.errors()[0]["loc"] == (field,) and "AI/ML API" in str(err.value)
    assert server.requests == [] and seen == []


@pytest.mark.parametrize(
    ("prompt", "lyrics", "ok"),
    [
        ("p" * 9, LYRICS, False),
        ("p" * 10, LYRICS, True),
        ("p" * 2000, LYRICS, True),
        (PROMPT, "l" * 9, False),
        (PROMPT, "l" * 10, True),
        (PROMPT, "l" * 3000, True),
        (PROMPT, "l" * 3001, False),
    ],
    ids=["prompt9", "prompt10", "prompt2000", "lyrics9", "lyrics10", "lyrics3000", "lyrics3001"],
)
def test_proxy_length_limits_both_sides(client, server, prompt, lyrics, ok):
    req = MusicRequest.song(prompt, lyrics)
    if ok:
        assert client.submit(req).status == "queued"
        return
    with pytest.raises(ValidationError, match=r"(prompt|lyrics)\n.*must be 10–(2000|3000) characters"):
        client.submit(req)
    assert server.requests == []


def test_prompt_over_2000_is_refused_by_the_request_itself():
    with pytest.raises(ValidationError, match="prompt must be at most 2000"):
        MusicRequest.song("p" * 2001, LYRICS)


def test_cover_analysis_and_lyrics_writing_are_not_offered(client, server):
    with pytest.raises(ModelUnavailableError, match="not offered through the AI/ML API") as err:
        client.preprocess_cover("ref.mp3")
    assert "MiniMax direct" in err.value.hint
    with pytest.raises(ModelUnavailableError):
        client.generate_lyrics(LyricsRequest(prompt="x"))
    assert server.requests == []


def test_payload_uses_the_normalized_lyrics():
    body = proxy_payload(MusicRequest.song(PROMPT, "[Pre-Chorus]\nla la la la la"))
    assert body["lyrics"] == "[Pre Chorus]\nla la la la la"
