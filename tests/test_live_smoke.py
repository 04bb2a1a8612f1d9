"""Against the real MiniMax API, only when asked: MINIMAX_API_KEY=... MUSICGEN_LIVE=1 bash scripts/test.sh -m live

It is billed (one short instrumental and one lyrics call) and needs the internet, so it is skipped everywhere else,
CI included. It checks what the stand-in cannot: that the real service still answers the contract we coded to.
"""

from __future__ import annotations

import io

import pytest
import soundfile as sf

from musicgen import AudioSetting, Chunk, LyricsRequest, MusicClient, MusicRequest, MusicResult

pytestmark = pytest.mark.live


def test_live_lyrics_and_a_streamed_instrumental(live_minimax):
    key, base_url = live_minimax
    with MusicClient(api_key=key, base_url=base_url) as client:
        lyrics = client.generate_lyrics(LyricsRequest(mode="write_full_song", prompt="a short song about rain"))
        assert "[" in lyrics.lyrics and lyrics.trace_id
        request = MusicRequest.instrumental(
            "short calm piano sketch", audio_setting=AudioSetting(format="mp3", sample_rate=32000, bitrate=128000)
        )
        items = list(client.stream(request))
    chunks = [item for item in items if isinstance(item, Chunk)]
    result = items[-1]
    assert isinstance(result, MusicResult) and chunks and result.trace_id
    audio, rate = sf.read(io.BytesIO(result.audio))
    assert rate == 32000 and len(audio) / rate == pytest.approx(result.duration_s, abs=0.5)
    assert abs(audio).max() > 0.01  # not silence
