"""Cover preprocess (with the local reference checks), covers and lyrics, against the stand-in."""

import io

import numpy as np
import pytest
import soundfile as sf

from musicgen import CoverPreprocessRequest, LyricsRequest, MusicClient, MusicRequest
from musicgen.audio import ReferenceError
from musicgen.standin import StandIn


@pytest.fixture(scope="module")
def server():
    with StandIn(fetch_local=True) as s:
        yield s


@pytest.fixture
def client(server):
    with MusicClient(api_key="k", base_url=server.url) as c:
        yield c


def tone_file(path, seconds, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, 0.3 * np.sin(2 * np.pi * 220 * t), rate)
    return path


def test_preprocess_then_cover_with_edited_lyrics(client, tmp_path, server):
    ref = tone_file(tmp_path / "ref.wav", 8)
    ana = client.preprocess_cover(ref)
    assert len(ana.cover_feature_id) == 32 and ana.duration_s == pytest.approx(8, abs=0.1)
    assert ana.segments and ana.segments[-1].end == pytest.approx(8, abs=0.5)
    assert ana.formatted_lyrics.strip() and ana.trace_id
    lyrics = "[Verse]\nmy own new words for this tune\n[Chorus]\nsinging it again"
    res = client.generate(
        MusicRequest.cover("bossa nova, soft guitar", cover_feature_id=ana.cover_feature_id, lyrics=lyrics)
    )
    assert sf.info(io.BytesIO(res.audio)).duration > 1
    sent = [r["json"] for r in server.requests if r["path"] == "/v1/music_generation"][-1]
    assert sent["cover_feature_id"] == ana.cover_feature_id and sent["lyrics"] == lyrics and "audio_base64" not in sent


def test_same_audio_same_feature_id(client, tmp_path):
    a = client.preprocess_cover(tone_file(tmp_path / "a.wav", 7))
    b = client.preprocess_cover(tone_file(tmp_path / "b.wav", 7))
    assert a.cover_feature_id == b.cover_feature_id


@pytest.mark.parametrize(
    "make,match",
    [(lambda p: tone_file(p, 5.0), "6 s"), (lambda p: tone_file(p, 361, rate=8000), "6 min"),
     (lambda p: p.write_bytes(b"not audio at all" * 100) and p, "could not be decoded"),
     (lambda p: p, "not found")],
)  # fmt: skip
def test_local_reference_checked_before_upload(client, server, tmp_path, make, match):
    before = len(server.requests)
    path = tmp_path / "ref.wav"
    make(path)
    with pytest.raises(ReferenceError, match=match):
        client.preprocess_cover(path)
    assert len(server.requests) == before


def test_reference_over_50_mb_refused_before_reading(client, tmp_path, monkeypatch):
    import musicgen.config as config

    monkeypatch.setattr(config, "REFERENCE_MAX_BYTES", 1000)
    with pytest.raises(ReferenceError, match="50 MB|0 MB"):
        client.preprocess_cover(tone_file(tmp_path / "big.wav", 7))


def test_one_step_cover_with_base64(client, tmp_path):
    import base64

    data = tone_file(tmp_path / "r.wav", 7).read_bytes()
    req = MusicRequest.cover("lofi hip hop cover, dusty", audio_base64=base64.b64encode(data).decode())
    assert client.generate(req).audio


def test_preprocess_by_url(client, server):
    url = client.generate(MusicRequest.song("p", "[Verse]\nla la la la", output_format="url")).url
    ana = client.preprocess_cover(CoverPreprocessRequest(audio_url=url))
    assert ana.cover_feature_id and ana.duration_s


def test_lyrics_written_and_edited(client):
    res = client.generate_lyrics(LyricsRequest(prompt="a rainy night in Lisbon", title="Rua"))
    assert res.lyrics.strip() and res.title == "Rua" and res.trace_id
    edited = client.generate_lyrics(LyricsRequest(mode="edit", lyrics=res.lyrics, prompt="make it hopeful"))
    assert edited.lyrics.strip()
