"""The server-side request rules: what the stand-in refuses with 2013, and the message naming the field."""

from __future__ import annotations

import httpx
import pytest

from musicgen.standin import StandIn
from musicgen.standin.validation import ParamError, validate_lyrics, validate_music, validate_preprocess

TEXT = {"model": "music-2.6", "lyrics": "la la"}
COVER = {"model": "music-cover", "prompt": "acoustic version", "audio_base64": "AAAA"}


def refused(payload: dict, validator=validate_music) -> str:
    with pytest.raises(ParamError) as info:
        validator(payload)
    return str(info.value)


def test_a_valid_text_request_is_split_into_render_and_delivery_parts():
    job = validate_music({**TEXT, "stream": True, "audio_setting": {"format": "wav"}, "seed": 7})
    assert (job.fmt, job.sample_rate, job.bitrate, job.channels, job.stream) == (
        "wav",
        44100,
        256000,
        2,
        True,
    )
    assert "stream" not in job.render_payload and job.render_payload["seed"] == 7
    assert job.render_payload["audio_setting"]["sample_rate"] == 44100


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"lyrics": "x"}, "model"),
        ({"model": "gpt-4o", "lyrics": "x"}, "gpt-4o"),
        ({"model": "music-2.6"}, "lyrics"),
        ({"model": "music-2.6", "lyrics": "x" * 3501}, "lyrics"),
        ({"model": "music-2.6", "prompt": "x" * 2001, "lyrics": "x"}, "prompt"),
        ({"model": "music-2.6", "is_instrumental": True}, "prompt"),
        ({"model": "music-2.6", "is_instrumental": True, "prompt": "p", "lyrics": "x"}, "lyrics"),
        ({"model": "music-2.6", "lyrics_optimizer": True, "prompt": "p", "lyrics": "x"}, "lyrics"),
        (
            {"model": "music-2.6", "lyrics_optimizer": True, "is_instrumental": True, "prompt": "p"},
            "lyrics_optimizer",
        ),
        ({**TEXT, "audio_url": "http://127.0.0.1/a.mp3"}, "audio_url"),
        ({**TEXT, "cover_feature_id": "abc"}, "cover_feature_id"),
        ({**TEXT, "stream": True, "output_format": "url"}, "output_format"),
        ({**TEXT, "output_format": "wav"}, "output_format"),
        ({**TEXT, "stream": "yes"}, "stream"),
        ({**TEXT, "audio_setting": {"sample_rate": 48000}}, "audio_setting.sample_rate"),
        ({**TEXT, "audio_setting": {"bitrate": 320000}}, "audio_setting.bitrate"),
        ({**TEXT, "audio_setting": {"format": "flac"}}, "audio_setting.format"),
        ({**COVER, "prompt": "short"}, "prompt"),
        ({**COVER, "is_instrumental": True}, "is_instrumental"),
        ({**COVER, "audio_url": "http://127.0.0.1/a.mp3"}, "exactly one of audio_url, audio_base64"),
        ({"model": "music-cover", "prompt": "acoustic version"}, "exactly one of"),
        ({**COVER, "lyrics": "too short"}, "lyrics"),
        ({"model": "music-cover", "prompt": "acoustic version", "cover_feature_id": "f"}, "lyrics"),
    ],
)
def test_rules_name_the_offending_field(payload, field):
    message = refused(payload)
    assert message.startswith("invalid params, ") and field in message


def test_retired_models_are_refused_as_no_longer_supported():
    assert refused({"model": "music-2.0", "lyrics": "x"}) == "model music-2.0 is no longer supported"
    assert validate_music({"model": "music-2.0", "lyrics": "x"}, retired=set()).model == "music-2.0"


def test_cover_accepts_one_reference_and_optional_lyrics():
    job = validate_music({**COVER, "lyrics": "a" * 10})
    assert job.is_cover and job.reference_field == "audio_base64" and "audio_base64" not in job.render_payload
    job = validate_music({"model": "music-cover-free", "prompt": "p" * 10, "cover_feature_id": "f", "lyrics": "l" * 10})
    assert (job.reference_field, job.reference_value) == ("cover_feature_id", "f")


def test_preprocess_rules():
    assert validate_preprocess({"model": "music-cover", "audio_url": "http://x"}) == ("audio_url", "http://x")
    assert "model" in refused({"model": "music-cover-free", "audio_url": "u"}, validate_preprocess)
    assert "exactly one" in refused({"model": "music-cover"}, validate_preprocess)
    assert "exactly one" in refused(
        {"model": "music-cover", "audio_url": "u", "audio_base64": "b"}, validate_preprocess
    )


def test_lyrics_rules():
    assert validate_lyrics({"mode": "write_full_song"})["prompt"] == ""
    assert "mode" in refused({"mode": "rewrite"}, validate_lyrics)
    assert "lyrics" in refused({"mode": "edit", "prompt": "p"}, validate_lyrics)
    assert "prompt" in refused({"mode": "write_full_song", "prompt": "p" * 2001}, validate_lyrics)


def test_refusals_over_http_are_2013_with_http_200():
    with StandIn() as s:
        r = httpx.post(
            f"{s.url}/v1/music_generation", json={"model": "music-2.6"}, headers={"Authorization": "Bearer k"}
        )
        assert r.status_code == 200 and r.json()["base_resp"]["status_code"] == 2013 and "data" not in r.json()
        r = httpx.post(f"{s.url}/v1/music_generation", content=b"{not json", headers={"Authorization": "Bearer k"})
        assert r.json()["base_resp"]["status_code"] == 2013
