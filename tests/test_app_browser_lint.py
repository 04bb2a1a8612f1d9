"""The lyrics linter in headless Chromium: findings appear under the lyrics box as the visitor types, each naming
its line; a fix button shows only while it applies, works from the keyboard, and mends the text in place."""

from __future__ import annotations

import pytest
from ui_fixtures import BROWSER_MARKS, KEYLESS, LAPTOP, serve_studio

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def url():
    with serve_studio(env=KEYLESS) as (_, u):  # the demo engine
        yield u


def test_findings_show_under_the_lyrics_and_one_click_fixes_them(browser, url, artifacts, a11y):
    page = browser.new_page(viewport=LAPTOP)
    try:
        page.goto(url)
        box = page.locator("#song-lyrics textarea")
        box.wait_for(timeout=20_000)
        report = page.locator("#song-lyrics-count")
        names, tags = page.locator("#song-fix-tag-names"), page.locator("#song-fix-tags")
        assert not names.is_visible() and not tags.is_visible()  # nothing to fix yet

        box.fill("[Verse] Sunday morning\n[Chrous]\nTake it easy (ooh)")
        report.get_by_text("line 2", exact=False).wait_for(timeout=10_000)
        text = report.inner_text()
        assert "Warning · line 1" in text and "words after [Verse]" in text
        assert "Must fix · line 2: unknown tag [Chrous]: did you mean [Chorus]?" in text
        assert "Warning · line 3: (ooh) is not a tag" in text
        tags.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "lint-song-findings.png"))
        field = page.locator("#song-lyrics textarea")  # read out with the box, and marked while a finding blocks
        page.wait_for_function("() => document.querySelector('#song-lyrics textarea').ariaInvalid === 'true'")
        assert field.get_attribute("aria-describedby") == "song-lyrics-count"
        a11y.assert_no_new_violations(page, "lyrics check with findings and fix buttons")

        names.focus()  # keyboard: the fix is a real button
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('[Chorus]')")
        names.wait_for(state="hidden", timeout=10_000)
        tags.click()
        page.wait_for_function(
            "() => document.querySelector('#song-lyrics textarea').value"
            " === '[Verse]\\nSunday morning\\n[Chorus]\\nTake it easy (ooh)'"
        )
        tags.wait_for(state="hidden", timeout=10_000)
        page.wait_for_function("() => !document.querySelector('#song-lyrics-count').innerText.includes('Must fix')")
        assert "line 4: (ooh)" in report.inner_text()  # a sung direction is the writer's call: no button
        assert field.get_attribute("aria-invalid") == "false"  # warnings do not block
        report.screenshot(path=str(artifacts / "lint-song-fixed.png"))

        page.get_by_role("tab", name="Cover").click()
        page.locator("#cover-lyrics textarea").fill("[Verse]\nla la la la\n[Bridge]")
        page.locator("#cover-lyrics-count", has_text="line 3: [Bridge] has no lyrics").wait_for(timeout=10_000)
    finally:
        page.close()
