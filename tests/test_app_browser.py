"""The studio in headless Chromium, as a visitor uses it: on the demo engine, at laptop and phone width."""

from __future__ import annotations

import pytest
import soundfile as sf
from ui_fixtures import BROWSER_MARKS, LAPTOP, PHONE, open_studio, serve_studio, write_reference

from musicgen.ui.presets import EXAMPLE_REFERENCE

pytestmark = BROWSER_MARKS
TABS = ("Song", "Instrumental", "Cover", "Showcase", "Settings")


@pytest.fixture(scope="module")
def url():
    with serve_studio() as (_, u):
        yield u


def open_page(browser, url, viewport=LAPTOP):
    return open_studio(browser, url, viewport=viewport, accept_downloads=True)


def test_song_tab_streams_then_downloads_a_decodable_file(browser, url, artifacts, tmp_path):
    page = open_page(browser, url)
    page.get_by_text("Indie folk · Streetlights flicker").click()
    page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('Streetlights')")
    page.locator("#song-generate").click()
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    # The live player played the song's own bytes from this session's live URL.
    assert page.locator("#song-live audio[src^='live/']").count() == 1
    assert "Demo engine: synthesized locally, not by MiniMax" in page.locator("#song-info").inner_text()
    page.screenshot(path=str(artifacts / "song-result-laptop.png"), full_page=True)
    with page.expect_download() as dl:
        page.locator("#song-download a").first.click()
    target = tmp_path / dl.value.suggested_filename
    dl.value.save_as(target)
    assert target.name.startswith("song-demo-engine-") and target.suffix == ".mp3"
    assert sf.info(str(target)).duration > 5
    # Once the stream has ended the live player knows every byte: its length is the song's.
    page.wait_for_function(
        "d => Math.abs(document.querySelector('#song-live audio').duration - d) < 0.1",
        arg=sf.info(str(target)).duration,
        timeout=30_000,
    )
    page.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_tab_fits_the_screen(browser, url, artifacts, viewport):
    page = open_page(browser, url, viewport)
    name = "laptop" if viewport is LAPTOP else "phone"
    for tab in TABS:
        # Every tab is a visible button at any width (tabs wrap; no overflow menu hides Settings on a phone).
        button = page.get_by_role("tab", name=tab)
        assert button.is_visible(), f"the {tab} tab is hidden at {name} width"
        button.click()
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts / f"{tab.lower()}-{name}.png"), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{tab} scrolls sideways by {overflow}px at {name} width"
    assert "Backend: Demo engine" in page.locator("#mg-badge").inner_text()
    page.close()


def test_cover_in_two_steps(browser, url, artifacts, tmp_path):
    page = open_page(browser, url)
    page.get_by_role("tab", name="Cover").click()
    assert page.locator("#cover-generate").is_disabled()  # nothing analysed yet
    clip = write_reference(tmp_path / "my-track.wav", seconds=10.0)
    page.locator("#cover-reference input[type=file]").set_input_files(str(clip))
    page.locator("#cover-analyze").click()
    page.locator("#cover-timeline .mg-seg").first.wait_for(timeout=30_000)
    assert page.locator("#cover-lyrics textarea").input_value().strip()
    assert page.locator("#cover-feature-id textarea, #cover-feature-id input").first.input_value()
    page.locator("#cover-prompt textarea").fill("Acoustic folk, warm female vocals")
    page.locator("#cover-generate").click()
    page.locator("#cover-download a").first.wait_for(timeout=60_000)
    assert "cover-demo-engine-" in page.locator("#cover-download").inner_text()
    page.screenshot(path=str(artifacts / "cover-result-laptop.png"), full_page=True)
    page.close()


@pytest.mark.skipif(not EXAMPLE_REFERENCE.is_file(), reason="assets/reference-example.wav is not there")
def test_the_example_clip_can_be_analysed_without_a_track_of_ones_own(browser, url):
    page = open_page(browser, url)
    page.get_by_role("tab", name="Cover").click()
    page.locator("#cover-example").click()  # loads the clip and analyses it in one go
    page.get_by_test_id("waveform-Reference").first.wait_for(timeout=10_000)  # Gradio shows two while it loads
    page.locator("#cover-timeline .mg-seg").first.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#cover-generate').disabled", timeout=10_000)
    page.close()


def test_written_lyrics_can_be_undone(browser, url):
    page = open_page(browser, url)
    mine = "[Verse]\nMy very own words"
    page.locator("#song-prompt textarea").fill("a rainy city night")
    page.locator("#song-lyrics textarea").fill(mine)
    page.locator("#song-write-lyrics").click()
    page.locator("#song-undo").wait_for(timeout=20_000)
    page.wait_for_function("() => !document.querySelector('#song-lyrics textarea').value.includes('My very own')")
    assert page.locator("#song-title").get_by_role("textbox").input_value()
    page.locator("#song-undo").click()
    page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('My very own')")
    page.close()


def test_the_visitors_key_stays_on_the_server(browser, url):
    secret = "sk-api-browser-secret-77"
    page = open_page(browser, url)
    page.get_by_role("tab", name="Settings").click()
    key_box = page.locator("#settings-key input")
    key_box.wait_for()
    key_box.press_sequentially(secret, delay=10)  # typed, as a visitor would
    page.locator("#mg-badge", has_text="MiniMax (global) · your key").wait_for(timeout=10_000)
    stored = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert secret not in stored
    assert secret not in page.request.get(url + "config").text()
    page.get_by_label("Demo engine").check()
    page.locator("#mg-badge", has_text="Demo engine").wait_for(timeout=10_000)
    page.close()


def test_problems_show_as_messages_that_say_what_to_do(browser, url, artifacts):
    page = open_page(browser, url)
    page.locator("#song-prompt textarea").fill("Indie folk")
    page.locator("#song-generate").click()
    page.get_by_text("Check the form. lyrics is required").wait_for(timeout=10_000)
    page.get_by_role("tab", name="Settings").click()
    page.get_by_label("MiniMax", exact=True).check()  # no key anywhere: MiniMax must refuse politely
    page.get_by_role("tab", name="Song").click()
    page.locator("#song-lyrics textarea").fill("[Verse]\nla la la")
    page.locator("#song-generate").click()
    toast = page.get_by_text("API key not accepted").first
    toast.wait_for(timeout=10_000)
    assert "Settings tab" in toast.inner_text()
    page.screenshot(path=str(artifacts / "error-toast-laptop.png"))
    page.close()
