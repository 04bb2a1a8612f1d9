"""MiniMax-Music3 in headless Chromium, on the stand-in of its engine: picking it in Settings shows its health; a
song with a seed and a length cap, then an instrumental as mp3; the card shows seed, cap and model."""

from __future__ import annotations

import re

import pytest
import soundfile as sf
from ui_fixtures import BROWSER_MARKS, LAPTOP, open_studio, serve_studio

from musicgen.music3.standin import SERVED_MODEL, Music3StandIn, check, render_wav

pytestmark = BROWSER_MARKS
LYRICS = "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow"


@pytest.fixture(scope="module")
def engine():
    with Music3StandIn(latency_s=2.5) as s:
        env = {"MINIMAX_API_KEY": None, "AIMLAPI_KEY": None, "MUSICGEN_ALLOW_VISITOR_SERVERS": None}
        with serve_studio(concurrency=2, env={**env, "MUSIC3_BASE_URL": s.url}) as (_, u):
            yield s, u


def test_a_song_and_an_instrumental_on_minimax_music3(browser, engine, artifacts, tmp_path, a11y):
    standin, url = engine
    page = open_studio(browser, url, viewport=LAPTOP, accept_downloads=True)
    try:
        page.locator("#mg-badge", has_text="MiniMax-Music3").wait_for(timeout=10_000)
        page.get_by_role("tab", name="Settings").click()
        assert (
            page.locator("#settings-server-url").count() == 0 or not page.locator("#settings-server-url").is_visible()
        )
        page.get_by_label("Demo engine").check()  # away and back: choosing it checks the server's health
        page.locator("#mg-badge", has_text="Demo engine").wait_for(timeout=10_000)
        page.get_by_label("MiniMax-Music3 (self-hosted)").check()
        page.locator("#mg-badge", has_text="MiniMax-Music3").wait_for(timeout=10_000)
        page.locator("#settings-health", has_text="is ready").wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts / "settings-music3-laptop.png"), full_page=True)
        a11y.assert_no_new_violations(page, "settings: MiniMax-Music3 picked, its health shown")

        page.get_by_role("tab", name="Song").click()
        page.locator("#song-provider-note", has_text="Seed and Length").wait_for(timeout=10_000)
        page.locator("#song-prompt textarea").fill("A melancholic lo-fi hip-hop track with a mellow piano at 85 BPM")
        page.locator("#song-lyrics textarea").fill("[Verse] Sunday morning, quiet and slow\n[Chorus]\nTake it easy")
        page.locator("#song-fix-tags").click()
        page.wait_for_function(
            "() => document.querySelector('#song-lyrics textarea').value.startsWith('[Verse]\\nSunday')"
        )
        page.locator("#song-seed input, #song-seed textarea").first.fill("42")
        slider = page.locator("#song-max-seconds input[type='number']")
        slider.fill("30")
        slider.press("Enter")
        page.locator("#song-audio-settings").get_by_role("button").first.click()
        page.locator("#song-audio-settings").get_by_label("wav").check()
        page.locator("#song-generate").click()
        page.locator("#song-info", has_text="Composing on the MiniMax-Music3 server").wait_for(timeout=20_000)
        page.locator("#song-info", has_text="for this length cap").wait_for(timeout=5_000)
        page.locator("#song-info").screenshot(path=str(artifacts / "song-music3-composing.png"))
        page.locator("#song-download a").first.wait_for(timeout=60_000)
        card = page.locator("#song-info").inner_text()
        assert "42" in card and "0:30 (30 s)" in card and "MiniMaxAI/MiniMax-Music3" in card
        page.screenshot(path=str(artifacts / "song-music3-laptop.png"), full_page=True)
        a11y.assert_no_new_violations(page, "song: MiniMax-Music3 result with Seed and Length")
        sent = standin.generations()[-1]
        assert (sent["seed"], sent["max_new_tokens"]) == (42, 750)
        assert sent["input"].startswith("[Verse]\nSunday morning")  # the fixed lyrics, nothing dropped
        with page.expect_download() as song_file:
            page.locator("#song-download a").first.click()
        song = tmp_path / "song.wav"
        song_file.value.save_as(song)
        info = sf.info(song)
        assert (info.samplerate, info.channels, info.format) == (32000, 2, "WAV") and info.duration <= 30.0
        assert song.read_bytes() == render_wav(check(sent, SERVED_MODEL))  # kept as received, byte for byte

        page.get_by_role("tab", name="Instrumental").click()
        page.locator("#instrumental-prompt textarea").fill("Warm analog pads, slow evolving texture, 70 BPM")
        # the format is left at mp3 (the default): the download is encoded here from the WAV received
        slider = page.locator("#instrumental-max-seconds input[type='number']")
        slider.fill("10")
        slider.press("Enter")
        page.locator("#instrumental-generate").click()
        page.locator("#instrumental-download a").first.wait_for(timeout=60_000)
        card = page.locator("#instrumental-info").inner_text()
        seed = standin.generations()[-1]["seed"]
        assert re.search(rf"\b{seed}\b", card) and "encoded here" in card  # the drawn seed, shown
        page.locator("#instrumental-info").screenshot(path=str(artifacts / "instrumental-music3-card.png"))
        with page.expect_download() as pads_file:
            page.locator("#instrumental-download a").first.click()
        pads = tmp_path / "pads.mp3"
        pads_file.value.save_as(pads)
        mp3 = sf.info(pads)
        assert mp3.format == "MP3" and mp3.samplerate == 32000 and abs(mp3.duration - 10.0) < 0.2
        assert standin.generations()[-1]["input"] == "[Intro]\n(instrumental)"
    finally:
        page.close()
