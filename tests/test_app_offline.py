"""With no key anywhere, the studio runs end to end on the local demo engine (the default client factory)."""

from __future__ import annotations

import pytest
import soundfile as sf
from gradio_client import handle_file
from ui_fixtures import LYRICS, api_client, serve_studio, write_reference

from musicgen import providers
from musicgen.ui import app as ui_app
from musicgen.ui import build_app, events
from musicgen.ui.session import Session


@pytest.fixture(scope="module")
def url():
    with serve_studio() as (_, u):
        yield u


@pytest.fixture
def c(url, tmp_path):
    return api_client(url, tmp_path)


def test_song_streams_from_the_demo_engine(c):
    _, _, download, meta, info = c.predict(prompt="Indie folk, melancholic", lyrics=LYRICS, api_name="/song")
    assert meta["provider"] == "demo" and meta["label"] == providers.DEMO_LABEL and providers.DEMO_LABEL in info
    assert "song-demo-engine-" in download and sf.info(download).duration == pytest.approx(meta["duration_s"], abs=0.1)


def test_lyrics_and_a_two_step_cover_on_the_demo_engine(c, tmp_path):
    lyrics, title, _ = c.predict(prompt="rainy city night", api_name="/lyrics")
    assert lyrics.strip() and title
    ref = write_reference(tmp_path / "ref.wav", seconds=10.0)
    feature_id, ref_lyrics, analysis, timeline = c.predict(audio=handle_file(str(ref)), api_name="/cover_preprocess")
    assert feature_id and analysis["label"] == providers.DEMO_LABEL and "mg-track" in timeline
    cover_lyrics = ref_lyrics if len(ref_lyrics) >= 10 else "[Verse]\nA brand new line to sing"
    *_, download, meta, _ = c.predict(
        prompt="Acoustic folk cover", lyrics=cover_lyrics, stream=False, api_name="/cover"
    )
    assert "cover-demo-engine-" in download and meta["provider"] == "demo" and sf.info(download).duration > 0


def test_example_reference_button_only_when_the_clip_exists(tmp_path, monkeypatch):
    def example_visible() -> bool:
        demo = build_app()
        button = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "cover-example")
        return bool(button.visible)

    monkeypatch.setattr(ui_app, "EXAMPLE_REFERENCE", tmp_path / "missing.wav")
    assert not example_visible()
    clip = write_reference(tmp_path / "reference-example.wav")
    monkeypatch.setattr(ui_app, "EXAMPLE_REFERENCE", clip)
    monkeypatch.setattr(events, "EXAMPLE_REFERENCE", clip)
    assert example_visible()
    copied = events.example_reference(Session())
    assert copied != str(clip) and sf.info(copied).duration == pytest.approx(8.0)


def test_with_a_server_key_minimax_is_the_default_and_the_badge_says_so(monkeypatch):
    monkeypatch.setenv("MINIMAX_API_KEY", "server-key")
    blocks = {getattr(b, "elem_id", None): b for b in build_app().blocks.values()}
    assert blocks["settings-backend"].value == providers.MINIMAX
    assert "Backend: MiniMax (global) · server key" in blocks["mg-badge"].value
    assert "server-key" not in str(build_app().config)
