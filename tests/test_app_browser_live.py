"""Live playback in headless Chromium: a song plays while it arrives, the finished player holds it all, a cut
stream keeps its part, and a live URL answers nobody but the session that made it. Laptop and phone width."""

from __future__ import annotations

import re

import pytest
import soundfile as sf
from ui_fixtures import (
    BROWSER_MARKS,
    LAPTOP,
    LYRICS,
    PHONE,
    StandInFactory,
    open_studio,
    reset_standin,
    serve_studio,
    standin_fixture,
)

from musicgen.standin import Fault
from musicgen.ui.live import LIVE_LABEL

pytestmark = BROWSER_MARKS
VIEWPORTS = [pytest.param(LAPTOP, id="laptop"), pytest.param(PHONE, id="phone")]
LIVE = """() => { const a = document.querySelector('#song-live audio');
  return a ? {src: a.getAttribute('src'), t: a.currentTime, paused: a.paused, ended: a.ended} : null; }"""


standin = standin_fixture(latency_s=0.0)


@pytest.fixture(scope="module")
def url(standin):
    with serve_studio(StandInFactory(standin)) as (_, u):
        yield u


@pytest.fixture
def slow(standin):
    """A stream that arrives about as fast as it plays: half a second of audio every 0.4 s."""
    return reset_standin(standin, chunk_bytes=16384, chunk_interval_s=0.4)


def generate(browser, url, viewport, accept_downloads=False):
    page = open_studio(browser, url, viewport=viewport, accept_downloads=accept_downloads)
    page.locator("#song-prompt textarea").fill("Indie folk, warm guitar")
    page.locator("#song-lyrics textarea").fill(LYRICS)
    page.locator("#song-generate").click()
    return page


def name(viewport) -> str:
    return "laptop" if viewport is LAPTOP else "phone"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_streamed_song_plays_before_it_completes_then_the_player_holds_it_all(
    browser, url, slow, artifacts, tmp_path, viewport
):
    page = generate(browser, url, viewport, accept_downloads=True)
    page.wait_for_function(f"() => {{ const s = ({LIVE})(); return s && s.t > 0.3 && !s.paused; }}", timeout=20_000)
    assert page.locator("#song-download a").count() == 0  # still arriving, already playing
    live = page.get_by_label(LIVE_LABEL)  # named for screen readers, reachable by keyboard
    assert live.count() == 1 and live.evaluate("a => a.controls && a.tabIndex >= 0")
    page.screenshot(path=str(artifacts / f"live-playing-{name(viewport)}.png"), full_page=True)
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    with page.expect_download() as dl:
        page.locator("#song-download a").first.click()
    song = tmp_path / dl.value.suggested_filename
    dl.value.save_as(song)
    seconds = sf.info(str(song)).duration
    # The live player received the very bytes of the file: once the stream ended it knows the song's length.
    page.wait_for_function(
        "d => Math.abs(document.querySelector('#song-live audio').duration - d) < 0.1", arg=seconds, timeout=30_000
    )
    # The finished player holds the whole song: its length shows, and it plays from wherever one seeks.
    shown = page.locator("#song-player #duration").inner_text()
    assert shown == f"{int(seconds // 60)}:{round(seconds % 60):02d}"
    assert page.locator("#song-download").inner_text().count(".mp3") >= 1  # the one way to download it
    box = page.locator("#song-player [data-testid=waveform-Song] #waveform").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)  # seek to the middle
    page.wait_for_function(
        "() => { const t = document.querySelector('#song-player #time').textContent.split(':');"
        " return +t[0] * 60 + +t[1] >= 2; }",
        timeout=10_000,
    )
    page.screenshot(path=str(artifacts / f"live-finished-{name(viewport)}.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.close()


def test_a_cut_stream_keeps_what_played_and_says_what_happened(browser, url, slow, artifacts):
    slow.inject(Fault(kind="truncate"))  # two chunks, then the connection ends without the final frame
    page = generate(browser, url, LAPTOP)
    page.get_by_text("stopped before the song was complete").first.wait_for(timeout=30_000)
    assert "Partial" in page.locator("#song-info").inner_text()
    assert "-partial" in page.locator("#song-download").inner_text()
    # The live player played what arrived and then ended; the finished player holds the partial song.
    page.wait_for_function(f"() => ({LIVE})().ended", timeout=20_000)
    assert page.evaluate(f"() => ({LIVE})().t") > 0.5
    assert page.locator("#song-player #duration").inner_text() != "0:00"
    page.screenshot(path=str(artifacts / "live-cut-laptop.png"), full_page=True)
    page.close()


def test_another_session_gets_a_404_for_a_live_url(browser, url, slow):
    alice = generate(browser, url, LAPTOP)
    alice.wait_for_function(f"() => ({LIVE})()?.src", timeout=20_000)
    src = alice.evaluate(f"() => ({LIVE})().src")
    _, alice_id, token = src.split("/")
    mallory = generate(browser, url, LAPTOP)  # her own session, with her own live URL
    mallory.wait_for_function(f"() => ({LIVE})()?.src", timeout=20_000)
    _, mallory_id, _ = mallory.evaluate(f"() => ({LIVE})().src").split("/")
    assert mallory_id != alice_id and re.fullmatch(r"[0-9a-f]{32}", mallory_id)
    fetch = "u => fetch(u).then(r => r.status)"
    assert mallory.evaluate(fetch, f"live/{mallory_id}/{token}") == 404  # Alice's token in Mallory's session
    assert mallory.evaluate(fetch, f"live/{alice_id}/{token[:-2]}xy") == 404  # a guess next to it
    assert mallory.evaluate(fetch, f"live/{alice_id}") == 404  # no listing
    assert alice.evaluate("u => fetch(u).then(r => r.status)", src) == 200
    alice.close()
    mallory.close()
