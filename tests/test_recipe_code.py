""" "Copy as code": each snippet (curl, Python with musicgen, the CLI, gradio_client) is run against the stand-in and
must send the very request the recipe describes; none holds a key; quotes, dollars and backticks stay text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ui_fixtures import StandInFactory, serve_studio, standin_fixture

from musicgen.recipe import Recipe
from musicgen.recipe_code import snippets
from musicgen.requests import AudioSetting, MusicRequest
from musicgen.standin import StandIn

ROOT = str(Path(__file__).resolve().parents[1])
KEY = "sk-snippet-secret-4242"
LYRICS = "[Verse]\nIt's $HOME, \"quoted\" and `ticked`\n[Chorus]\nEcho '$(rm -rf /)' la la"
RECIPE = Recipe.from_request(
    MusicRequest.song("-Jazz-pop, 100 BPM; it's \"bright\"", LYRICS, model="music-2.6",
                      audio_setting=AudioSetting(format="wav", sample_rate=32000, bitrate=128000)),
    "minimax", title="Snippet",
)  # fmt: skip


stand = standin_fixture("stand")


def sent(stand: StandIn) -> list[dict]:
    return [r["json"] for r in stand.requests if r["path"].startswith("/v1/music_generation")]


def run(stand: StandIn, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ, "MINIMAX_BASE_URL": stand.url, "MINIMAX_API_KEY": KEY, "PYTHONPATH": ROOT,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_no_snippet_holds_a_key_and_curl_reads_it_from_the_environment():
    code = snippets(RECIPE)
    assert set(code) == {"curl", "python", "cli", "gradio_client"}
    assert "$MINIMAX_API_KEY" in code["curl"] and all(KEY not in c for c in code.values())
    music3 = Recipe.from_request(MusicRequest.song("lo-fi", "[Verse]\nla", model="m", seed=7, max_seconds=30), "music3")
    assert "curl" not in snippets(music3) and "--seed=7 \\\n  --max-seconds=30" in snippets(music3)["cli"]


@pytest.mark.parametrize("form", ["curl", "python", "cli"])
def test_each_snippet_sends_the_recipes_request(stand, tmp_path, form):
    stand.reset()
    code = snippets(RECIPE)[form]
    argv = [sys.executable, "-c", code] if form == "python" else ["bash", "-c", code]
    done = run(stand, argv, tmp_path)
    assert done.returncode == 0, done.stderr
    (body,) = sent(stand)
    assert body == RECIPE.request().payload()
    assert body["lyrics"] == LYRICS and body["prompt"] == RECIPE.prompt  # nothing expanded by the shell
    if form != "curl":
        assert (tmp_path / "song.wav").stat().st_size > 1000
    assert KEY not in done.stdout + done.stderr


def test_the_gradio_client_snippet_sends_the_same_request_through_the_studio(stand, tmp_path):
    stand.reset()
    with serve_studio(StandInFactory(stand)) as (_, url):
        code = snippets(RECIPE, studio_url=url)["gradio_client"]
        done = run(stand, [sys.executable, "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    (body,) = sent(stand)
    assert body == RECIPE.request().payload()
