"""The Library tab in headless Chromium: a song made in the Song tab is there, plays, downloads, and is private."""

from __future__ import annotations

import pytest
import soundfile as sf
from ui_fixtures import BROWSER_MARKS, LAPTOP, PHONE, launched

from musicgen.library import Library
from musicgen.ui import build_app

pytestmark = BROWSER_MARKS
PROMPT = "Indie folk, melancholic, introspective"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    library = Library(tmp_path_factory.mktemp("library"))
    try:
        with launched(build_app(library=library)) as u:
            yield u
    finally:
        library.close()


def open_page(context, url):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.locator("#song-prompt textarea").wait_for(timeout=20_000)
    return page


def open_library(page):
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-usage .mg-usage").wait_for(timeout=10_000)


def cell(page, text: str):
    """A visible table cell holding text (the Dataframe also keeps hidden copies for measuring)."""
    return page.locator("#library-table").get_by_text(text).filter(visible=True).first


def table_text(page) -> str:
    return page.locator("#library-table").inner_text() if page.locator("#library-table").is_visible() else ""


def test_a_song_lands_in_the_library_plays_downloads_and_stays_private(browser, url, artifacts, tmp_path):
    alice = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = open_page(alice, url)
    page.locator("#song-prompt textarea").fill(PROMPT)
    page.locator("#song-title").get_by_role("textbox").fill("Streetlights")
    page.locator("#song-lyrics textarea").fill("[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nHome")
    page.locator("#song-stream input").uncheck()
    page.locator("#song-generate").click()
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    assert "Saved to your Library" in page.locator("#song-info").inner_text()

    open_library(page)
    assert "musicgen-library-owner" in page.evaluate("() => Object.keys(localStorage).join(' ')")
    row = cell(page, "Streetlights")
    row.wait_for(timeout=10_000)
    assert "song" in table_text(page) and "Demo engine" in table_text(page)
    assert page.locator("#library-export-several").is_visible()  # export of several, now that there are songs
    row.click()
    page.get_by_test_id("waveform-Selected song").wait_for(timeout=10_000)
    page.wait_for_function("() => !document.querySelector('#library-download').disabled", timeout=10_000)
    assert PROMPT not in page.locator("#library-detail").inner_text()  # the card, not the request
    assert "trace id" in page.locator("#library-detail").inner_text().lower()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "library-laptop.png"), full_page=True)
    with page.expect_download() as dl:
        page.locator("#library-download").click()
    target = tmp_path / dl.value.suggested_filename
    dl.value.save_as(target)
    assert target.name == "Streetlights.mp3" and sf.info(str(target)).duration > 5

    # The same browser later, on a phone-sized page (the token is kept in localStorage), still has it ...
    page.close()
    page = alice.new_page()
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.locator("#song-prompt textarea").wait_for(timeout=20_000)
    open_library(page)
    cell(page, "Streetlights").wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "library-phone.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the Library tab scrolls sideways by {overflow}px on a phone"

    # ... while another browser (fresh storage) sees an empty library.
    bob = browser.new_context(viewport=LAPTOP)
    other = open_page(bob, url)
    open_library(other)
    other.locator("#library-empty-note").wait_for(timeout=10_000)
    assert "Streetlights" not in table_text(other) and "0 songs" in other.locator("#library-usage").inner_text()
    assert not other.locator("#library-export-several").is_visible()  # nothing to export
    other.screenshot(path=str(artifacts / "library-empty-laptop.png"), full_page=True)
    bob.close()
    alice.close()


def test_delete_undo_and_use_again(browser, url, artifacts):
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(context, url)
    page.get_by_role("tab", name="Instrumental").click()
    page.locator("#instrumental-prompt textarea").fill("Lo-fi hip hop, dusty vinyl, rainy night")
    page.locator("#instrumental-stream input").uncheck()
    page.locator("#instrumental-generate").click()
    page.locator("#instrumental-download a").first.wait_for(timeout=60_000)
    open_library(page)
    cell(page, "Lo-fi hip hop").click()
    page.wait_for_function("() => !document.querySelector('#library-delete').disabled", timeout=10_000)

    page.locator("#library-delete").click()
    page.locator("#library-undo-note", has_text="Deleted “Lo-fi hip hop").wait_for(timeout=10_000)
    page.locator("#library-empty-note").wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts / "library-deleted-laptop.png"), full_page=True)
    page.locator("#library-undo").click()
    cell(page, "Lo-fi hip hop").wait_for(timeout=10_000)
    assert not page.locator("#library-undo-row").is_visible()

    cell(page, "Lo-fi hip hop").click()
    page.wait_for_function("() => !document.querySelector('#library-reuse').disabled", timeout=10_000)
    page.get_by_role("tab", name="Instrumental").click()
    page.locator("#instrumental-prompt textarea").fill("Something else entirely")
    page.locator("#instrumental-stream input").check()
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-reuse").click()
    page.wait_for_function(
        "() => document.querySelector('#instrumental-prompt textarea').value.startsWith('Lo-fi hip hop')",
        timeout=10_000,
    )
    assert page.get_by_role("tab", name="Instrumental").get_attribute("aria-selected") == "true"
    assert not page.locator("#instrumental-stream input").is_checked()  # the saved request's settings too
    context.close()


def star_button_reads(page, label: str) -> None:
    page.wait_for_function(
        "l => { const b = document.querySelector('#library-star'); return b && !b.disabled && b.innerText.trim() === l; }",
        arg=label,
        timeout=10_000,
    )


def test_keep_star_marks_filters_and_survives_a_reload(browser, url, artifacts, a11y):
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(context, url)
    page.locator("#song-prompt textarea").fill("Harbour lights, slow folk ballad")
    page.locator("#song-lyrics textarea").fill("[Verse]\nLights on the water, boats coming home\n[Chorus]\nHarbour")
    page.locator("#song-stream input").uncheck()
    page.locator("#song-generate").click()
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    page.get_by_role("tab", name="Instrumental").click()
    page.locator("#instrumental-prompt textarea").fill("Harbour drums, dub techno")
    page.locator("#instrumental-stream input").uncheck()
    page.locator("#instrumental-generate").click()
    page.locator("#instrumental-download a").first.wait_for(timeout=60_000)

    open_library(page)
    cell(page, "Harbour lights").click()
    star_button_reads(page, "Keep ★")
    page.locator("#library-star").click()
    star_button_reads(page, "Remove ★")  # the label says what the next click does
    cell(page, "★ Harbour lights").wait_for(timeout=10_000)
    assert "kept · song" in table_text(page) and "★ Harbour drums" not in table_text(page)

    # "★ kept only" hides the unstarred song and combines with the search.
    page.get_by_label("★ kept only").check()
    page.wait_for_function("() => !document.querySelector('#library-table').innerText.includes('Harbour drums')")
    cell(page, "★ Harbour lights").wait_for(timeout=10_000)
    assert "1 kept ★ song" in page.locator("#library-usage").inner_text()
    search = page.locator("#library-search").get_by_role("textbox")
    search.press_sequentially("drums")  # typed, as a person does: the list follows each keystroke
    page.locator("#library-empty", has_text="No kept ★ song matches").wait_for(timeout=10_000)
    for _ in "drums":
        search.press("Backspace")  # deleting the search shows the kept songs again
    cell(page, "★ Harbour lights").wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    a11y.assert_no_new_violations(page, "library-starred-only-laptop")
    page.screenshot(path=str(artifacts / "library-starred-laptop.png"), full_page=True)

    # A reload (the owner token is in localStorage, the ★ in the library) on a phone-sized page: still kept.
    page.set_viewport_size(PHONE)
    page.reload()
    page.locator("#song-prompt textarea").wait_for(timeout=20_000)
    open_library(page)
    cell(page, "★ Harbour lights").wait_for(timeout=10_000)
    cell(page, "Harbour drums").wait_for(timeout=10_000)  # the filter starts off after a reload
    page.get_by_label("★ kept only").check()
    page.wait_for_function("() => !document.querySelector('#library-table').innerText.includes('Harbour drums')")
    page.wait_for_timeout(300)
    a11y.assert_no_new_violations(page, "library-starred-only-phone")
    page.screenshot(path=str(artifacts / "library-starred-phone.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the Library tab scrolls sideways by {overflow}px on a phone"

    cell(page, "★ Harbour lights").click()
    star_button_reads(page, "Remove ★")
    page.locator("#library-star").click()
    star_button_reads(page, "Keep ★")
    page.locator("#library-empty", has_text="No kept ★ songs yet").wait_for(timeout=10_000)
    page.get_by_label("★ kept only").uncheck()
    cell(page, "Harbour lights").wait_for(timeout=10_000)
    assert "★" not in table_text(page)
    context.close()
