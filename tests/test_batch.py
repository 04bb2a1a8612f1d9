"""`python -m musicgen batch`: the manifest, bad lines, rate-limit back-off, failures retried on the next run, and a
run killed midway resumed without asking again for what was done or leaving a half-written file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

from musicgen import cli
from musicgen.recipe import Recipe
from musicgen.standin import Fault, StandIn

ROOT = str(Path(__file__).resolve().parents[1])
PROMPTS = ["Indie folk, 90 BPM", "Lo-fi hip hop, 80 BPM", "Synthwave, 110 BPM", "Bossa nova, 120 BPM"]


def recipe(prompt: str, **kw) -> str:
    made = Recipe(kind="song", model="music-2.6", prompt=prompt, lyrics="[Verse]\nla la la\n[Chorus]\noh oh", **kw)
    return made.to_json(indent=None)


@pytest.fixture
def stand(monkeypatch):
    with StandIn() as server:
        server.configure(latency_s=0.0)
        monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
        monkeypatch.setenv("MINIMAX_API_KEY", "k")
        yield server


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "recipes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def asked(stand: StandIn) -> Counter:
    return Counter(r["json"]["prompt"] for r in stand.requests if r["path"] == "/v1/music_generation")


def test_every_take_is_a_file_and_a_manifest_line(stand, tmp_path, capsys):
    path, out = write(tmp_path, [recipe(p) for p in PROMPTS[:3]]), tmp_path / "out"
    assert cli.main(["batch", str(path), "--out", str(out), "--takes", "2", "--concurrency", "3"]) == 0
    lines = manifest(out)
    assert len(lines) == 6 and {(m["line"], m["take"]) for m in lines} == {(n, t) for n in (1, 2, 3) for t in (1, 2)}
    for m in lines:
        assert m["status"] == "ok" and m["error"] is None and m["trace_id"] and m["recipe"]["prompt"] in PROMPTS
        assert sf.info(str(out / m["file"])).duration == pytest.approx(m["duration_s"], abs=0.1)
    err = capsys.readouterr()
    assert "6 done, 0 failed, 0 bad lines" in err.out and "line 2 take 1:" in err.err
    assert not list(out.glob("*.part")) and not list(out.glob(".*.part"))


def test_a_bad_line_is_named_with_its_field_and_the_rest_run(stand, tmp_path, capsys):
    lines = [
        recipe(PROMPTS[0]),
        "{not json",
        recipe(PROMPTS[1]).replace('"kind":"song"', '"kind":"song","seed":-3'),
        recipe(PROMPTS[2]).replace("[Verse]", "[Chrous]"),
        json.dumps({"version": 7, "kind": "song", "model": "m"}),
        recipe(PROMPTS[3]),
    ]
    out = tmp_path / "out"
    assert cli.main(["batch", str(write(tmp_path, lines)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "recipes.jsonl line 2: not JSON" in err
    assert "line 3: recipe seed: Input should be greater than or equal to 0" in err
    assert "line 4: lyrics line 1: unknown tag [Chrous]: did you mean [Chorus]?" in err
    assert "line 5: recipe version 7 is not one this studio reads" in err
    assert sorted(m["line"] for m in manifest(out)) == [1, 6]
    assert set(asked(stand)) == {PROMPTS[0], PROMPTS[3]}


def test_rate_limits_are_backed_off_and_retried(stand, tmp_path):
    stand.inject(Fault("code", code=1002), times=2)
    out = tmp_path / "out"
    assert cli.main(["batch", str(write(tmp_path, [recipe(PROMPTS[0])])), "--out", str(out)]) == 0
    assert asked(stand)[PROMPTS[0]] == 3  # two refusals (1002), backed off, then the song
    assert [m["status"] for m in manifest(out)] == ["ok"]


def test_a_failed_song_exits_1_and_the_next_run_retries_only_it(stand, tmp_path):
    path, out = write(tmp_path, [recipe(PROMPTS[0]), recipe(PROMPTS[1])]), tmp_path / "out"
    stand.inject(Fault("code", code=1026, message="input new_sensitive"))  # flagged: not retried by the client
    assert cli.main(["batch", str(path), "--out", str(out), "--concurrency", "1"]) == 1
    first = manifest(out)
    failed = [m for m in first if m["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["file"] is None and failed[0]["error"]
    assert cli.main(["batch", str(path), "--out", str(out)]) == 0
    assert sum(asked(stand).values()) == 3  # the done one was never asked for again
    assert [m["status"] for m in manifest(out)[2:]] == ["ok"]


def test_a_run_killed_midway_resumes_without_paying_twice(tmp_path):
    with StandIn() as stand:
        stand.configure(latency_s=0.8)
        path, out = write(tmp_path, [recipe(p) for p in PROMPTS]), tmp_path / "out"
        env = {**os.environ, "MINIMAX_BASE_URL": stand.url, "MINIMAX_API_KEY": "k", "PYTHONPATH": ROOT}
        argv = [sys.executable, "-m", "musicgen", "batch", str(path), "--out", str(out), "--concurrency", "1"]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(_lines(out)) < 2:
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        done_before = {m["recipe"]["prompt"] for m in manifest(out)}
        assert len(done_before) >= 2
        before = asked(stand)
        done = subprocess.run([*argv], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        after = asked(stand)
        assert all(after[p] == before[p] == 1 for p in done_before)  # asked once, ever
        assert {m["recipe"]["prompt"] for m in manifest(out) if m["status"] == "ok"} == set(PROMPTS)
        files = sorted(out.glob("*.mp3"))
        assert len(files) == 4 and all(sf.info(str(f)).duration > 1 for f in files)
        assert not list(out.glob(".*.part"))


def _lines(out: Path) -> list[str]:
    path = out / "manifest.jsonl"
    return path.read_text().splitlines() if path.exists() else []
