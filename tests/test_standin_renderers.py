"""ToneRenderer: deterministic, request-dependent audio of the right length; preprocess and lyrics shapes."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile as sf

from musicgen.standin import Rendering, ToneRenderer

SETTING = {"sample_rate": 16000, "channel": 2}


def render(payload: dict, reference: bytes | None = None) -> tuple[Rendering, np.ndarray]:
    rendering = ToneRenderer().music({**payload, "audio_setting": SETTING}, reference)
    return rendering, np.concatenate(list(rendering.blocks))


def wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros((int(seconds * 8000), 1), "float32"), 8000, format="WAV")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("payload", "reference", "seconds"),
    [
        ({"lyrics": "a\nb"}, None, 6.0),
        ({"lyrics": "[Verse]\n" + "\n".join("line" for _ in range(5))}, None, 10.0),
        ({"prompt": "p", "is_instrumental": True}, None, 8.0),
        ({"prompt": "p"}, wav(12.5), 12.5),
        ({"prompt": "p"}, b"undecodable", 10.0),
    ],
)
def test_duration_follows_the_request(payload, reference, seconds):
    rendering, audio = render(payload, reference)
    assert rendering.frames == int(seconds * 16000) == len(audio)
    assert audio.dtype == np.float32 and audio.shape[1] == 2 and np.abs(audio).max() <= 1.0
    assert rendering.sample_rate == 16000 and rendering.plan is not None


def test_deterministic_but_request_dependent():
    _, a = render({"lyrics": "x"})
    _, b = render({"lyrics": "x"})
    _, c = render({"lyrics": "y"})
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_blocks_are_lazy():
    rendering = ToneRenderer().music({"lyrics": "x", "audio_setting": SETTING})
    assert not isinstance(rendering.blocks, list)
    assert len(next(rendering.blocks)) == 8000  # half-second blocks


def test_cover_preprocess_shape():
    audio = wav(9.0)
    result = ToneRenderer().cover_preprocess(audio)
    assert len(result["cover_feature_id"]) == 32 and result == ToneRenderer().cover_preprocess(audio)
    structure = json.loads(result["structure_result"])
    segments = structure["segments"]
    assert 2 <= structure["num_segments"] == len(segments) <= 4
    assert segments[0]["start"] == 0 and segments[-1]["end"] == pytest.approx(9.0)
    assert result["audio_duration"] == 9.0 and result["formatted_lyrics"].startswith("[Intro]")


def test_lyrics_use_the_prompt_and_title():
    out = ToneRenderer().lyrics({"mode": "write_full_song", "prompt": "neon city nights"})
    assert out["song_title"] == "Neon City Nights" and "neon city nights" in out["lyrics"]
    assert "," in out["style_tags"]
    edit = ToneRenderer().lyrics({"mode": "edit", "lyrics": "[Verse]\nmine", "title": "T"})
    assert edit["song_title"] == "T" and edit["lyrics"].startswith("[Verse]\nmine")
