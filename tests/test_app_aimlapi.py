"""The launched studio with the second provider, through gradio_client: a song via the proxy stand-in on the
server's AIMLAPI_KEY, and the legacy music-01 endpoints against a loopback MiniMax host."""

from __future__ import annotations

import pytest
import soundfile as sf
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from ui_fixtures import LYRICS, api_client, serve_studio

from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan, tone

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

SERVER_KEY = "aiml-server-secret-444"


def test_song_via_the_proxy_on_the_servers_key_and_instrumentals_refused(monkeypatch, tmp_path):
    with ProxyStandIn(api_key=SERVER_KEY, audio_s=1.0, default_plan=TaskPlan(0.1, 0.2)) as proxy:
        monkeypatch.setenv("AIMLAPI_KEY", SERVER_KEY)  # only an AI/ML API key: the studio defaults to the proxy
        monkeypatch.setenv("AIMLAPI_BASE_URL", proxy.url)
        with serve_studio(concurrency=2) as (_, url):
            c = api_client(url, tmp_path)
            _, song, download, meta, info = c.predict(
                prompt="indie folk, melancholic", lyrics=LYRICS, stream=False, format="wav", api_name="/song"
            )
            assert sf.info(download).samplerate == 44100 and song == download
            assert meta["provider"] == "aimlapi" and meta["usd_spent"] == 0.195 and "AI/ML API" in info
            with pytest.raises(AppError, match="does not offer instrumentals"):
                c.predict(prompt="lo-fi hip hop", api_name="/instrumental")
        assert len([r for r in proxy.requests if r["method"] == "POST"]) == 1  # the refusal sent nothing


def test_music01_endpoints_upload_then_generate(monkeypatch, tmp_path):
    ref = tmp_path / "reference.wav"
    ref.write_bytes(tone(12.0, "wav", 8000, 1))
    with ProxyStandIn(api_key="minimax-server-key", audio_s=1.0) as host:
        monkeypatch.setenv("MINIMAX_API_KEY", "minimax-server-key")
        monkeypatch.setenv("MINIMAX_BASE_URL", host.url)  # the stand-in answers MiniMax's legacy routes too
        with serve_studio(concurrency=2) as (_, url):
            c = api_client(url, tmp_path)
            voice, inst, _ = c.predict(audio=handle_file(str(ref)), purpose="song", api_name="/music01_upload")
            assert voice.startswith("vocal-") and inst.startswith("instrumental-")
            _, song, download, meta, _ = c.predict(
                lyrics="la la la", refer_voice=voice, refer_instrumental=inst, accompaniment=True,
                api_name="/music01",
            )  # fmt: skip
    assert song == download and sf.info(download).frames > 0
    assert meta["model"] == "music-01" and meta["provider"] == "minimax"
    assert [r["path"] for r in host.requests if r["method"] == "POST"] == ["/v1/music_upload", "/v1/music_generation"]
