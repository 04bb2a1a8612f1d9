"""`python -m musicgen --provider aimlapi` against the proxy stand-in, refusals before any call, and music-01."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import soundfile as sf

from musicgen import cli
from musicgen.aimlapi import AimlApiClient
from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan, tone
from musicgen.requests import MusicRequest

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "aiml-cli-secret-555"
LYRICS = "[Verse]\\nStreetlights flicker, the night breeze sighs\\n[Chorus]\\nPushing the wooden door"


@pytest.fixture
def proxy(monkeypatch):
    with ProxyStandIn(api_key=KEY, audio_s=1.0) as s:
        monkeypatch.setenv("AIMLAPI_KEY", KEY)
        monkeypatch.setenv("AIMLAPI_BASE_URL", s.url)
        yield s


def test_song_through_the_proxy_shows_task_stages_elapsed_time_and_usage(proxy, tmp_path):
    proxy.plan(TaskPlan(queued_s=0.3, generating_s=0.8))
    out = tmp_path / "song.wav"
    env = {**os.environ, "PYTHONPATH": ROOT}
    p = subprocess.run(
        [sys.executable, "-m", "musicgen", "--provider", "aimlapi", "song", "--prompt", "indie folk, melancholic",
         "--lyrics", LYRICS, "--model", "music-2.0", "--format", "wav", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "AI/ML API proxy at http://127.0.0.1" in p.stderr
    lines = p.stderr.splitlines()
    queued = next(n for n, line in enumerate(lines) if line.startswith("Queued at the AI/ML API…"))
    generating = next(n for n, line in enumerate(lines) if line.startswith("Generating on the AI/ML API"))
    assert queued < generating and "s elapsed" in lines[generating]
    assert sf.info(out).samplerate == 44100
    assert "usage: 390,000 credits, 0.195 USD" in p.stdout and KEY not in p.stdout + p.stderr
    assert next(t for t in proxy.tasks.values()).payload["model"] == "minimax/music-2.0"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["instrumental", "--prompt", "ambient pads"], "does not offer instrumentals"),
        (["cover", "--prompt", "acoustic folk", "--audio-url", "https://x/a.mp3"], "does not offer covers"),
        (["cover-preprocess", "--audio-url", "https://x/a.mp3"], "does not offer cover preprocessing"),
        (["lyrics", "--prompt", "a road trip"], "does not offer lyrics writing"),
    ],
)
def test_unsupported_commands_are_refused_before_any_call(proxy, capsys, args, words):
    assert cli.main(["--provider", "aimlapi", *args]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert words in err and "--provider minimax" in err and proxy.requests == []


def test_a_rejected_key_names_the_variable_and_hides_the_key(proxy, monkeypatch, capsys):
    monkeypatch.setenv("AIMLAPI_KEY", "wrong-key-value-666")
    assert cli.main(["--provider", "aimlapi", "--quiet", "song", "--prompt", "indie folk", "--lyrics", LYRICS]) == 1
    err = capsys.readouterr().err
    assert "AIMLAPI_KEY" in err and "wrong-key-value-666" not in err


@pytest.mark.parametrize("provider", ["minimax", "aimlapi"])
def test_music01_uploads_the_reference_and_generates(proxy, monkeypatch, capsys, tmp_path, provider):
    monkeypatch.setenv("MINIMAX_API_KEY", KEY)
    monkeypatch.setenv("MINIMAX_BASE_URL", proxy.url)  # the stand-in answers MiniMax's legacy routes too
    ref, out = tmp_path / "ref.wav", tmp_path / "m01.mp3"
    ref.write_bytes(tone(12.0, "wav", 8000, 1))
    assert cli.main(["--provider", provider, "upload", str(ref), "--purpose", "voice"]) == 0
    assert "voice_id: vocal-" in capsys.readouterr().out
    argv = ["--provider", provider, "music01", "--reference", str(ref), "--lyrics", "la la la", "--accompaniment"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out and out.stat().st_size > 0
    assert [r for r in proxy.requests if r["method"] == "POST"][-1]["json"]["lyrics"] == "##la la la##"


def test_music01_on_the_demo_engine_is_refused(capsys, tmp_path):
    assert cli.main(["--provider", "demo", "music01", "--refer-voice", "v", "--lyrics", "la"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "does not offer the legacy music-01 model: use --provider minimax or --provider aimlapi" in err


def test_fetch_saves_a_song_submitted_earlier_by_its_generation_id(proxy, capsys, tmp_path):
    # After a timeout or a dropped connection the song may still finish, and be charged: fetch gets it.
    proxy.plan(TaskPlan(queued_s=0.2, generating_s=0.6))
    with AimlApiClient(KEY, proxy.url) as client:
        task = client.submit(
            MusicRequest.song("indie folk, melancholic", LYRICS.replace("\\n", "\n"), model="music-2.0")
        )
    out = tmp_path / "fetched.mp3"
    assert cli.main(["--provider", "aimlapi", "--quiet", "fetch", task.id, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and f"generation id: {task.id}" in printed
    assert sf.info(out).duration == pytest.approx(1.0, abs=0.2)


def test_fetch_needs_the_aimlapi_provider(capsys):
    assert cli.main(["fetch", "gen-123"]) == cli.EXIT_USAGE
    assert "--provider aimlapi" in capsys.readouterr().err
