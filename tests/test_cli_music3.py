"""`python -m musicgen --provider music3` against the Music 3 stand-in: the issue's command, refusals before any call."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import soundfile as sf

from musicgen import cli
from musicgen.music3.standin import Music3StandIn

pytestmark = pytest.mark.usefixtures("no_provider_env")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LYRICS = "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow\n"
KEY = "music3-cli-secret-777"


@pytest.fixture
def engine(monkeypatch):
    with Music3StandIn(api_key=KEY) as s:
        monkeypatch.setenv("MUSIC3_BASE_URL", s.url)
        monkeypatch.setenv("MUSIC3_API_KEY", KEY)
        yield s


def test_the_issues_command_writes_the_wav_and_reports_seed_cap_and_model(engine, tmp_path):
    (tmp_path / "lyrics.txt").write_text(LYRICS, encoding="utf-8")
    p = subprocess.run(
        [sys.executable, "-m", "musicgen", "--provider", "music3", "song", "--prompt", "lo-fi hip hop at 85 BPM",
         "--lyrics-file", "lyrics.txt", "--seed", "42", "--max-seconds", "30", "--out", "song.wav"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ROOT}, timeout=120,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "MiniMax-Music3 (self-hosted) at http://127.0.0.1" in p.stderr and "s elapsed" in p.stderr
    info = sf.info(tmp_path / "song.wav")
    assert (info.samplerate, info.channels, info.subtype) == (32000, 2, "PCM_16") and info.duration <= 30.0
    assert "seed: 42 · length cap: 30 s · model: MiniMaxAI/MiniMax-Music3" in p.stdout
    assert KEY not in p.stdout + p.stderr
    sent = engine.generations()[-1]
    assert (sent["seed"], sent["max_new_tokens"], sent["input"]) == (42, 750, LYRICS)


def test_instrumental_as_mp3_is_encoded_here_and_a_blank_seed_is_reported(engine, tmp_path, capsys):
    out = tmp_path / "pads.mp3"
    code = cli.main(["--provider", "music3", "instrumental", "--prompt", "ambient pads, 70 BPM", "--max-seconds",
                     "10", "--format", "mp3", "--out", str(out)])  # fmt: skip
    assert code == 0
    info = sf.info(out)
    assert info.format == "MP3" and info.samplerate == 32000 and abs(info.duration - 10.0) < 0.1
    seed = engine.generations()[-1]["seed"]
    assert f"seed: {seed} ·" in capsys.readouterr().out
    assert engine.generations()[-1]["response_format"] == "wav"  # mp3 is made here, not asked of the engine


def test_same_seed_same_file(engine, tmp_path):
    outs = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for out in outs:
        args = ["--provider", "music3", "song", "--prompt", "synthwave", "--lyrics", "[Verse]\\nCity lights",
                "--seed", "7", "--max-seconds", "10", "--out", str(out)]  # fmt: skip
        assert cli.main(args) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["song", "--prompt", "x", "--lyrics", "[Verse] Walking down\\nla"],
            "lyrics line 1: MiniMax-Music3 drops the words after [Verse]",
        ),
        (["song", "--prompt", "x", "--lyrics", "[Verse]\\nla", "--max-seconds", "400"], "max_seconds"),
        (["song", "--prompt", "x", "--lyrics-optimizer"], "does not offer lyrics writing from the prompt"),
        (["cover", "--prompt", "bossa nova style", "--audio-url", "http://x/y.mp3"], "does not offer covers"),
        (["lyrics", "--prompt", "a road trip"], "does not offer lyrics writing"),
        (["song", "--prompt", "x", "--lyrics", "[Verse]\\nla", "--format", "pcm"], "answers wav or mp3, not pcm"),
    ],
)
def test_refused_before_any_call_with_exit_status_2(engine, capsys, args, said):
    assert cli.main(["--provider", "music3", *args]) == 2
    assert said in capsys.readouterr().err
    assert engine.generations() == []


def test_other_backends_refuse_a_seed_naming_music3(capsys):
    assert cli.main(["--provider", "demo", "song", "--prompt", "x", "--lyrics", "[Verse]\\nla", "--seed", "3"]) == 2
    assert "takes no --seed: use --provider music3" in capsys.readouterr().err


def test_server_down_exits_1_saying_down_or_starting(monkeypatch, capsys):
    stopped = Music3StandIn().start()
    url = stopped.url
    stopped.stop()
    monkeypatch.setenv("MUSIC3_BASE_URL", url)
    assert cli.main(["--provider", "music3", "song", "--prompt", "x", "--lyrics", "[Verse]\\nla"]) == 1
    assert "down or still starting" in capsys.readouterr().err
