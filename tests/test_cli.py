"""`python -m musicgen` end to end against the stand-in, in a real subprocess."""

import os
import subprocess
import sys

import pytest
import soundfile as sf

from musicgen.standin import Fault, StandIn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def server():
    with StandIn() as s:
        yield s


def run(server, *args, key="k", cwd=None):
    env = {**os.environ, "MINIMAX_BASE_URL": server.url, "MINIMAX_API_KEY": key, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "musicgen", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)  # fmt: skip


def test_song_from_lyrics_file_writes_a_playable_file(server, tmp_path):
    lyr = tmp_path / "lyrics.txt"
    lyr.write_text("[Verse]\nStreetlights flicker\n[Chorus]\nPushing the wooden door\n")
    out = tmp_path / "song.mp3"
    p = run(server, "song", "--prompt", "indie folk", "--lyrics-file", str(lyr), "--out", str(out))
    assert p.returncode == 0, p.stderr
    info = sf.info(str(out))
    assert info.duration > 1 and info.samplerate == 44100
    assert "trace id:" in p.stdout and "mp3" in p.stdout and f"{info.duration:.1f} s" in p.stdout
    assert "done" in p.stderr  # progress with elapsed time


def test_streamed_pcm_is_written_raw_and_as_wav(server, tmp_path):
    out = tmp_path / "inst.pcm"
    p = run(server, "instrumental", "--prompt", "jazz trio", "--format", "pcm", "--sample-rate", "16000", "--stream",
            "--out", str(out))  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "KB received" in p.stderr
    wav = sf.info(str(out.with_suffix(".wav")))
    assert wav.samplerate == 16000 and abs(wav.frames * 4 - out.stat().st_size) < 4


def test_two_step_cover(server, tmp_path):
    ref = tmp_path / "ref.wav"
    import numpy as np

    sf.write(ref, 0.2 * np.sin(np.arange(16000 * 8) / 16000 * 2 * np.pi * 330), 16000)
    lyr = tmp_path / "cover-lyrics.txt"
    p = run(server, "cover-preprocess", "--audio-file", str(ref), "--out", str(lyr))
    assert p.returncode == 0, p.stderr
    feature = next(line.split()[1] for line in p.stdout.splitlines() if line.startswith("cover_feature_id"))
    lyr.write_text("[Verse]\nnew words, my own words\n[Chorus]\nsing it back to me\n")
    out = tmp_path / "cover.wav"
    p = run(server, "cover", "--prompt", "bossa nova, brushed drums", "--cover-feature-id", feature,
            "--lyrics-file", str(lyr), "--format", "wav", "--out", str(out))  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert sf.info(str(out)).duration > 1


def test_lyrics(server, tmp_path):
    p = run(server, "lyrics", "--prompt", "summer road trip", "--out", str(tmp_path / "l.txt"))
    assert p.returncode == 0, p.stderr
    assert "[Chorus]" in (tmp_path / "l.txt").read_text()


def test_invalid_input_names_the_field_and_sends_nothing(server):
    before = len(server.requests)
    p = run(server, "instrumental", "--prompt", "x" * 2001)
    assert p.returncode == 2 and "prompt" in p.stderr and "2000" in p.stderr and "Traceback" not in p.stderr
    p = run(server, "song", "--prompt", "pop", "--sample-rate", "22050", "--lyrics", "[Verse]\\nla")
    assert p.returncode == 2 and "sample_rate" in p.stderr
    assert len(server.requests) == before


@pytest.mark.parametrize(
    "fault,words",
    [(Fault(kind="code", code=1008, message="insufficient balance"), "top it up"),
     (Fault(kind="code", code=1026, message="input new_sensitive"), "rephrase"),
     (Fault(kind="http", http_status=429, retry_after=1), "wait"),
     (Fault(kind="html", http_status=502), "not JSON")],
)  # fmt: skip
def test_api_failures_exit_nonzero_with_advice_and_trace_id(server, fault, words, tmp_path):
    server.inject(fault, times=10)
    try:
        p = run(server, "song", "--prompt", "pop", "--lyrics", "[Verse]\\nla la", "--out", str(tmp_path / "x.mp3"))
    finally:
        server.clear_faults()
    assert p.returncode == 1 and words in p.stderr and "Traceback" not in p.stderr
    assert "trace id" in p.stderr


def test_bad_key_exits_with_where_to_set_it(tmp_path):
    with StandIn(api_key="right") as s:
        p = run(s, "instrumental", "--prompt", "ambient", key="wrong-key-value")
    assert p.returncode == 1 and "MINIMAX_API_KEY" in p.stderr and "wrong-key-value" not in p.stderr + p.stdout


@pytest.mark.parametrize(
    "fault",
    [Fault(kind="json_for_stream", audio="badhex"), Fault(kind="json_for_stream", audio="empty"),
     Fault(kind="badhex"), Fault(kind="empty_audio")],
    ids=["json-badhex", "json-empty", "events-badhex", "events-empty"],
)  # fmt: skip
def test_a_stream_without_usable_audio_exits_1_and_writes_no_file(server, fault, tmp_path):
    server.inject(fault)
    try:
        p = run(server, "song", "--prompt", "pop", "--lyrics", "[Verse]\\nla la", "--stream", "--out",
                str(tmp_path / "x.mp3"))  # fmt: skip
    finally:
        server.clear_faults()
    assert p.returncode == 1 and "Traceback" not in p.stderr and "trace id" in p.stderr
    assert "audio" in p.stderr and list(tmp_path.iterdir()) == []
