"""The studio's handlers as plain functions, against the stand-in: results, validation, errors, partial audio."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from gradio.utils import get_upload_folder, is_in_or_equal
from ui_fixtures import LYRICS, StandInFactory, write_reference

from musicgen import providers
from musicgen.standin import Fault, StandIn
from musicgen.ui.handlers import Handlers, file_name, keep_result
from musicgen.ui.live import LIVE_LABEL, LiveStreams
from musicgen.ui.session import Session

SONG = dict(lyrics_optimizer=False, model="music-2.6", format="mp3", sample_rate=44100, bitrate=256000)


@pytest.fixture(scope="module")
def standin():
    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture
def stand(standin):
    standin.reset()
    standin.configure(chunk_bytes=32768, chunk_interval_s=0.0, latency_s=0.0)  # reset() keeps settings
    return standin


@pytest.fixture
def factory(stand):
    return StandInFactory(stand)


@pytest.fixture
def h(factory):
    handlers = Handlers(factory, tick_s=0.05)
    handlers.live = LiveStreams()
    return handlers


def final(outputs):
    """The last yield of a generation: (live, player path, download path, metadata, info html)."""
    outs = list(outputs)
    return outs, outs[-1]


def api_calls(standin):
    return [r for r in standin.requests if not r["path"].startswith("/_standin")]


def live_url(outs) -> str:
    """The URL of the one live player the page was given."""
    players = [o[0] for o in outs if isinstance(o[0], str) and "<audio" in o[0]]
    assert len(players) == 1, players
    return re.search(r'src="([^"]+)"', players[0]).group(1)


def test_streamed_song_plays_live_and_ends_with_the_whole_file(h):
    session = Session()
    outs, (_, player, download, meta, info) = final(h.song("Indie folk", LYRICS, stream=True, session=session, **SONG))
    assert outs[0][0] == ""  # the previous live player goes at once
    # The page got one live player, named for screen readers, on this session's live URL; once the stream ended
    # it holds exactly the bytes of the finished file (nothing decoded, nothing re-encoded).
    url = live_url(outs)
    _, owner, token = url.split("/")
    assert owner == session.id and len(token) >= 22  # 128 random bits
    assert LIVE_LABEL in next(o[0] for o in outs if "<audio" in str(o[0]))
    stream = h.live.find(owner, token)
    assert stream.media_type == "audio/mpeg" and bytes(stream.buf) == Path(download).read_bytes()
    whole, rate = sf.read(download, dtype="int16", always_2d=True)
    assert player == download  # the finished player holds the whole file
    assert download.endswith(".mp3") and rate == 44100
    assert meta["duration_s"] == pytest.approx(len(whole) / rate, abs=0.1)
    assert meta["trace_id"] and meta["trace_id"] in info
    assert meta["format"] == "mp3" and meta["size"] > 0 and meta["model"] == "music-2.6"


def test_streamed_pcm_plays_live_as_wav_with_the_same_samples(h):
    outs, (*_, download, meta, _) = final(
        h.instrumental("Lo-fi", format="pcm", sample_rate=24000, stream=True, session=Session())
    )
    _, owner, token = live_url(outs).split("/")
    stream = h.live.find(owner, token)
    assert stream.media_type == "audio/wav" and stream.head[:4] == b"RIFF"
    live, rate = sf.read(io.BytesIO(stream.head + bytes(stream.buf)), dtype="int16", always_2d=True)
    whole, whole_rate = sf.read(download, dtype="int16", always_2d=True)
    assert rate == whole_rate == 24000 and np.array_equal(live, whole)


def test_demo_results_are_labelled_in_metadata_card_and_file_name(h):
    session = Session(backend=providers.DEMO)
    _, (_, _, download, meta, info) = final(h.instrumental("Lo-fi", format="wav", stream=False, session=session))
    assert meta["provider"] == "demo" and meta["label"] == providers.DEMO_LABEL
    assert providers.DEMO_LABEL in info
    assert "-demo-engine-" in download.rsplit("/", 1)[-1]


def test_minimax_results_are_named_minimax(h):
    session = Session(api_key="visitor-key", backend=providers.MINIMAX)
    _, (_, _, download, meta, info) = final(h.instrumental("Lo-fi", stream=False, session=session))
    assert meta["provider"] == "minimax" and "label" not in meta
    assert "-minimax-" in download.rsplit("/", 1)[-1] and providers.DEMO_LABEL not in info


def test_pcm_is_offered_as_wav_with_the_requested_rate(h):
    _, (_, _, download, meta, _) = final(
        h.instrumental("Lo-fi", format="pcm", sample_rate=24000, stream=False, session=Session())
    )
    info = sf.info(download)
    assert download.endswith(".wav") and info.samplerate == 24000 and info.channels == 2
    assert meta["format"] == "pcm" and meta["duration_s"] == pytest.approx(info.duration, abs=0.05)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda h, s: h.song("pop", "", session=s), "lyrics is required"),
        (lambda h, s: h.song("x" * 2001, LYRICS, session=s), "prompt must be at most 2000"),
        (lambda h, s: h.song("pop", "[Refrain]\nla la", session=s), "unknown structure tag [Refrain]"),
        (lambda h, s: h.song("pop", LYRICS, sample_rate="12345", session=s), "audio_setting.sample_rate"),
        (lambda h, s: h.instrumental("", session=s), "prompt must be 1–2000 characters"),
        (lambda h, s: h.cover("short", "", cover_feature_id="abc", session=s), "prompt must be 10–300"),
        (lambda h, s: h.cover("a long enough style", "", session=s), "audio: analyse a reference first"),
        (lambda h, s: h.cover("a long enough style", "", audio_url="ftp://x/y.mp3", session=s), "audio_url: must be"),
    ],
)
def test_input_problems_name_the_field_before_any_call(h, stand, call, field):
    with pytest.raises(gr.Error) as err:
        list(call(h, Session()))
    assert field in err.value.message and err.value.title == "Check the form"
    assert api_calls(stand) == []


def test_a_reference_that_is_too_short_is_refused_before_upload(h, stand, tmp_path):
    clip = write_reference(tmp_path / "short.wav", seconds=2.0)
    with pytest.raises(gr.Error) as err:
        h.cover_preprocess(str(clip), "", Session())
    assert "6 s" in err.value.message and err.value.title == "Reference track problem"
    assert api_calls(stand) == []


@pytest.mark.parametrize(
    ("fault", "title", "says"),
    [
        (Fault(kind="code", code=2049), "API key not accepted", "Settings tab"),
        (Fault(kind="http", http_status=429, retry_after=7), "Rate limited: wait 7 s", "Wait about 7 s"),
        (Fault(kind="code", code=1008), "Balance too low", "top it up"),
        (Fault(kind="code", code=1026), "Content flagged", "rephrase"),
        (
            Fault(kind="code", code=2013, message="invalid params, bitrate is not supported"),
            "Invalid parameters",
            "bitrate",
        ),
    ],
)
def test_api_failures_say_what_to_do_next_with_the_trace_id(h, stand, fault, title, says):
    stand.inject(fault)
    outs = []
    with pytest.raises(gr.Error) as err:
        for out in h.song("pop", LYRICS, stream=False, session=Session(), **SONG):
            outs.append(out)
    assert err.value.title == title
    assert says in err.value.message and err.value.message.startswith(title)
    assert "trace id " in err.value.message
    assert "mg-note-error" in outs[-1][4]  # the info panel stops spinning and says it too


def test_the_visitors_key_never_appears_in_a_message(h, stand):
    secret = "sk-api-visitor-secret-42"
    stand.inject(Fault(kind="code", code=2013, message=f"invalid params, key {secret} is malformed"))
    with pytest.raises(gr.Error) as err:
        list(h.song("pop", LYRICS, stream=False, session=Session(api_key=secret), **SONG))
    assert secret not in err.value.message


def test_a_cut_off_stream_keeps_the_partial_audio_and_says_where(h, stand):
    stand.configure(chunk_bytes=8192)
    stand.inject(Fault(kind="truncate"))
    gen = h.song("pop", LYRICS, stream=True, session=Session(), **SONG)
    outs = []
    with pytest.raises(gr.Error) as err:
        for out in gen:
            outs.append(out)
    _, player, download, meta, info = outs[-1]
    assert meta["partial"] is True and "Partial" in info
    assert download.endswith("-partial.mp3") and player == download
    assert download.rsplit("/", 1)[-1] in err.value.message
    assert len(sf.read(download)[0]) > 0  # what arrived is playable


def test_stop_closes_the_call_within_a_tick(h, stand, factory):
    stand.configure(chunk_bytes=4096, chunk_interval_s=0.5)
    gen = h.song("pop", LYRICS, stream=True, session=Session(), **SONG)
    next(gen), next(gen)
    t0 = time.monotonic()
    gen.close()  # what Gradio does when the visitor presses Stop
    assert time.monotonic() - t0 < 1.0
    assert factory.clients[-1].transport.is_closed


def test_free_models_on_the_servers_key_run_three_at_a_time(factory, stand):
    h = Handlers(factory, tick_s=0.05, free_slots=1)
    stand.configure(chunk_bytes=4096, chunk_interval_s=0.3)
    session = Session(backend=providers.MINIMAX)  # no visitor key: the server's key and its free-tier limit
    first = h.song("pop", LYRICS, stream=True, session=session, **{**SONG, "model": "music-2.6-free"})
    next(first), next(first)
    second = h.song("pop", LYRICS, stream=True, session=session, **{**SONG, "model": "music-2.6-free"})
    next(second)
    assert "Waiting for a free slot" in next(second)[4]
    first.close()
    stand.configure(chunk_interval_s=0.0)
    assert any(isinstance(o[2], str) for o in second)  # the slot came free and the second song finished


def test_two_step_cover_reuses_the_analysis_without_uploading_again(h, stand, tmp_path):
    clip = str(write_reference(tmp_path / "ref.wav"))
    session = Session()
    feature_id, lyrics, analysis, timeline = h.cover_preprocess(clip, "", session)
    assert feature_id and analysis["cover_feature_id"] == feature_id and analysis["duration_s"] == pytest.approx(8.0)
    assert [s["label"] for s in analysis["segments"]] and "mg-seg" in timeline
    assert h.cover_preprocess(clip, "", session)[0] == feature_id
    assert sum(r["path"] == "/v1/music_cover_preprocess" for r in api_calls(stand)) == 1
    edited = "[Verse]\nMy own new words for this old tune\n[Chorus]\nSinging it my way"
    _, (_, _, download, meta, _) = final(h.cover("Acoustic folk, warm vocals", edited, stream=False, session=session))
    body = api_calls(stand)[-1]["json"]
    assert body["cover_feature_id"] == feature_id and body["lyrics"] == edited and "audio_base64" not in body
    assert meta["kind"] == "cover" and sf.info(download).duration > 0


def test_one_step_cover_sends_the_audio_and_no_lyrics(h, stand, tmp_path):
    clip = str(write_reference(tmp_path / "ref.wav"))
    _, (_, _, _, meta, _) = final(h.cover("Synthwave, dreamy vocals", "", audio=clip, stream=False, session=Session()))
    body = api_calls(stand)[-1]["json"]
    assert body["audio_base64"] and "lyrics" not in body and "cover_feature_id" not in body
    assert meta["model"] == "music-cover"


def test_lyrics_are_written_with_a_title_and_style_tags(h, stand):
    lyrics, title, tags = h.lyrics("a summer road trip", "", "write_full_song", "", Session())
    assert "[Verse]" in lyrics and title and tags
    lyrics, _, _ = h.lyrics("", "[Verse]\nold line", "edit", "Keep Me", Session())
    assert api_calls(stand)[-1]["json"]["lyrics"] == "[Verse]\nold line" and lyrics


def test_keep_result_writes_a_playable_file_per_session(tmp_path):
    from musicgen.results import build_music_result

    pcm = (np.zeros((4410, 2), dtype="<i2")).tobytes()
    result = build_music_result(pcm, fmt="pcm", model="m", extra_info=None, requested_rate=44100, trace_id="t")
    a, b = Session(), Session()
    kept = keep_result(a, "song", {"prompt": "p"}, result)
    again = keep_result(a, "song", {"prompt": "p"}, result)
    assert kept.path.parent == again.path.parent != keep_result(b, "song", {}, result).path.parent
    assert kept.path != again.path and sf.info(str(kept.path)).duration == pytest.approx(0.1)
    assert file_name("cover", "demo", "wav", partial=True, now=0).startswith("cover-demo-engine-")
    assert io.BytesIO(kept.path.read_bytes()).read(4) == b"RIFF"


def test_a_stream_of_many_small_chunks_reaches_the_page_in_few_steps(factory, stand):
    # Every step is a round trip through Gradio for each output; one per 1-KB chunk would keep the server busy.
    stand.configure(chunk_bytes=1024)
    handlers = Handlers(factory, tick_s=30)
    handlers.live = LiveStreams()
    outs, (*_, meta, _) = final(handlers.song("Indie folk", LYRICS, stream=True, session=Session(), **SONG))
    assert meta["size"] // 1024 > 100
    assert len(outs) <= 4  # start, a new stage or two (the live player comes with the first chunk), the result
    live_url(outs)


def test_results_are_written_where_gradio_serves_them_without_a_copy(h):
    # Elsewhere Gradio hashes and copies every result file before serving it (twice per song: player, download).
    _, (_, player, download, meta, _) = final(h.song("Indie folk", LYRICS, stream=False, session=Session(), **SONG))
    assert is_in_or_equal(download, get_upload_folder()) and player == download
    assert sf.info(download).duration == pytest.approx(meta["duration_s"], abs=0.1)
