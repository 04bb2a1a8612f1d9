"""The offline demo engine through the very same client path: stand-in server + demo renderer on loopback."""

import io

import pytest
import soundfile as sf

from musicgen import LyricsRequest, MusicRequest
from musicgen.config import DEMO_LABEL
from musicgen.demo import estimate_tempo
from musicgen.providers import DEMO, MINIMAX, default_provider, demo_client, minimax_client
from musicgen.requests import AudioSetting

ASSET = "assets/reference-example.wav"


@pytest.fixture(scope="module")
def client():
    with demo_client() as c:
        yield c


def test_demo_song_is_labelled_and_decodes(client):
    req = MusicRequest.song(
        "happy pop, 120 BPM",
        "[Verse]\nhello sunny day\n[Chorus]\nla la la",
        audio_setting=AudioSetting(sample_rate=24000),
    )
    res = client.generate(req)
    data, rate = sf.read(io.BytesIO(res.audio))
    assert rate == 24000 and res.provider == DEMO and res.metadata()["label"] == DEMO_LABEL
    assert res.duration_s == pytest.approx(len(data) / rate, abs=0.15)
    bpm, _ = estimate_tempo(data.mean(axis=1), rate)
    assert abs(bpm - 120) <= 3


def test_demo_stream_hands_out_chunks_then_the_same_song(client):
    req = MusicRequest.instrumental(
        "lofi hip hop, mellow piano", audio_setting=AudioSetting(sample_rate=16000, format="wav")
    )
    items = list(client.stream(req))
    chunks, result = items[:-1], items[-1]
    assert len(chunks) > 3 and b"".join(c.data for c in chunks) == result.audio
    assert result.audio == client.generate(req).audio  # deterministic: same request, same audio
    assert sf.info(io.BytesIO(result.audio)).samplerate == 16000


def test_demo_two_step_cover_keeps_the_reference_tempo(client):
    ana = client.preprocess_cover(ASSET)
    ref, rate = sf.read(ASSET)
    assert ana.duration_s == pytest.approx(len(ref) / rate, abs=0.1) and len(ana.cover_feature_id) == 32
    assert "placeholder" in ana.formatted_lyrics.lower() and ana.segments
    req = MusicRequest.cover("dark synthwave, analog pads", cover_feature_id=ana.cover_feature_id,
                             lyrics="[Verse]\nneon rain on the boulevard\n[Chorus]\nwe drive all night",
                             audio_setting=AudioSetting(sample_rate=16000, format="wav"))  # fmt: skip
    res = client.generate(req)
    cover, crate = sf.read(io.BytesIO(res.audio))
    bar = 4 * 60 / 108
    assert abs(len(cover) / crate - len(ref) / rate) <= bar
    assert abs(estimate_tempo(cover.mean(axis=1), crate)[0] - estimate_tempo(ref, rate)[0]) <= 3


def test_demo_lyrics_use_the_prompt(client):
    res = client.generate_lyrics(LyricsRequest(prompt="lighthouse keeper in a storm"))
    assert "[Chorus]" in res.lyrics and res.title and res.provider == DEMO
    assert any(w in res.lyrics.lower() for w in ("lighthouse", "keeper", "storm"))


def test_default_provider_follows_the_key(monkeypatch):
    assert default_provider("") == DEMO
    assert default_provider("sk-visitor") == MINIMAX
    monkeypatch.setenv("MINIMAX_API_KEY", "server-key")
    assert default_provider("") == MINIMAX
    assert minimax_client(region="cn").settings.base_url == "https://api.minimaxi.com"
    assert minimax_client("visitor").settings.api_key == "visitor"
