"""The form says what is wrong at the field, in headless Chromium: a required field left empty on Generate is marked
(aria-invalid, described by the words next to it, focused) until the visitor mends it (issue 15); music-01's lyrics
are linted live with its own rules and one-click fixes (issue 13)."""

from __future__ import annotations

import pytest
from ui_fixtures import BROWSER_MARKS, LAPTOP, launched

from musicgen.ui import build_app

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def url():
    mp = pytest.MonkeyPatch()
    for name in ("MINIMAX_API_KEY", "AIMLAPI_KEY", "MUSIC3_BASE_URL"):
        mp.delenv(name, raising=False)
    try:
        with launched(build_app()) as u:  # the demo engine
            yield u
    finally:
        mp.undo()


def described_by(page, field: str) -> str:
    """The text a screen reader reads as the field's description (its aria-describedby target)."""
    return page.evaluate(
        "f => { const el = document.querySelector(`#${f} :is(textarea, input)`);"
        " const id = el.getAttribute('aria-describedby'); return id ? document.getElementById(id).innerText : ''; }",
        field,
    )


def invalid(page, field: str) -> str | None:
    return page.locator(f"#{field} textarea").get_attribute("aria-invalid")


def test_an_empty_required_field_says_so_at_the_field_and_takes_the_focus(browser, url, artifacts, a11y):
    page = browser.new_page(viewport=LAPTOP)
    try:
        page.goto(url)
        page.locator("#song-lyrics textarea").wait_for(timeout=20_000)
        page.locator("#song-prompt textarea").fill("indie folk, melancholic")
        page.locator("#song-lyrics textarea").fill("")
        assert invalid(page, "song-lyrics") != "true"  # empty is not an error until Generate is refused for it
        page.locator("#song-generate").click()
        page.locator("#song-lyrics-count", has_text="Required: write the lyrics here").wait_for(timeout=15_000)
        page.wait_for_function("() => document.activeElement === document.querySelector('#song-lyrics textarea')")
        assert invalid(page, "song-lyrics") == "true"
        assert "Required: write the lyrics here, or tick Auto lyrics below" in described_by(page, "song-lyrics")
        page.get_by_text("lyrics is required").first.wait_for()  # the toast still says it too
        page.wait_for_timeout(400)  # the toast's fade-in: axe measures colours
        a11y.assert_no_new_violations(page, "song-required-lyrics-refused")
        page.locator("#song-lyrics-count").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "form-required-lyrics.png"))

        page.keyboard.type("[Verse]\nStreetlights flicker")  # focus is in the box: the visitor just types
        page.wait_for_function("() => document.querySelector('#song-lyrics textarea').ariaInvalid === 'false'")
        assert "Required" not in page.locator("#song-lyrics-count").inner_text()

        # Auto lyrics waives the lyrics: ticking it mends the refusal as well.
        page.locator("#song-lyrics textarea").fill("")
        page.locator("#song-generate").click()
        page.locator("#song-lyrics-count", has_text="Required").wait_for(timeout=15_000)
        page.get_by_label("Auto lyrics", exact=False).check()
        page.wait_for_function("() => !document.querySelector('#song-lyrics-count').innerText.includes('Required')")

        page.get_by_role("tab", name="Instrumental").click()
        page.locator("#instrumental-prompt textarea").fill("")
        page.locator("#instrumental-generate").click()
        page.locator("#instrumental-prompt-count", has_text="Required: describe the music").wait_for(timeout=15_000)
        page.wait_for_function(
            "() => document.activeElement === document.querySelector('#instrumental-prompt textarea')"
        )
        assert invalid(page, "instrumental-prompt") == "true"
        assert "Required: describe the music" in described_by(page, "instrumental-prompt")
    finally:
        page.close()


def test_music01_lyrics_are_linted_live_with_its_own_rules_and_fixes(browser, url, artifacts, a11y):
    page = browser.new_page(viewport=LAPTOP)
    try:
        page.goto(url)
        page.locator("#song-lyrics textarea").wait_for(timeout=20_000)
        page.get_by_role("tab", name="Cover").click()
        page.get_by_text("Legacy: music-01 reference song").click()
        box, report = page.locator("#legacy-lyrics textarea"), page.locator("#legacy-lyrics-count")
        tags, marks = page.locator("#legacy-fix-drop-tags"), page.locator("#legacy-fix-drop-marks")
        box.wait_for(timeout=10_000)
        assert not tags.is_visible() and not marks.is_visible()
        page.locator("#legacy-generate").click()  # empty lyrics: said at the box as on the other tabs
        report.get_by_text("Required: write the lyrics music-01 sings", exact=False).wait_for(timeout=15_000)
        page.wait_for_function("() => document.activeElement === document.querySelector('#legacy-lyrics textarea')")
        assert invalid(page, "legacy-lyrics") == "true"
        page.locator(".toast-close").first.click()  # the toast said it too (the demo engine has no music-01)
        page.locator(".toast-body").first.wait_for(state="detached", timeout=10_000)

        box.fill("[Verse]\nStreetlights flicker ##\n[Chorus]\nthe night breeze sighs (ooh)")
        report.get_by_text("line 4", exact=False).wait_for(timeout=10_000)
        text = report.inner_text()
        assert "Warning · line 1: music-01 takes no section tags: [Verse]" in text
        assert "Warning · line 2: ## asks for accompaniment only as a pair" in text
        assert "Warning · line 4: (ooh) is not a tag" in text and "Must fix" not in text
        tags.wait_for(timeout=10_000)
        marks.wait_for(timeout=10_000)
        a11y.assert_no_new_violations(page, "music01-lyrics-check")
        page.locator("#legacy-music01").screenshot(path=str(artifacts / "lint-music01-findings.png"))

        tags.focus()  # keyboard: the fix is a real button
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('#legacy-lyrics textarea').value"
            " === 'Streetlights flicker ##\\n\\nthe night breeze sighs (ooh)'"
        )
        tags.wait_for(state="hidden", timeout=10_000)
        marks.click()
        marks.wait_for(state="hidden", timeout=10_000)
        assert box.input_value() == "Streetlights flicker \n\nthe night breeze sighs (ooh)"

        # The limit counts the ## … ## that accompaniment adds, and blocks: the box is marked.
        box.fill("l" * 197)
        assert invalid(page, "legacy-lyrics") != "true"
        page.get_by_label("Add accompaniment", exact=False).check()
        report.get_by_text("Must fix · line 1", exact=False).wait_for(timeout=10_000)
        assert "201 characters with ## … ##; music-01 takes at most 200" in report.inner_text()
        page.wait_for_function("() => document.querySelector('#legacy-lyrics textarea').ariaInvalid === 'true'")
        report.screenshot(path=str(artifacts / "lint-music01-limit.png"))
    finally:
        page.close()
