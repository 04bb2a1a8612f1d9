"""The second provider in headless Chromium: picking the AI/ML API in Settings, its key kept server-side, the
badge and the tab notes, and a song through the proxy stand-in with its task stages on the page."""

from __future__ import annotations

import pytest
from ui_fixtures import BROWSER_MARKS, LAPTOP, open_studio, serve_studio

from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan

pytestmark = BROWSER_MARKS
SECRET = "aiml-browser-secret-888"


@pytest.fixture(scope="module")
def url():
    with ProxyStandIn(api_key=SECRET, audio_s=2.0, default_plan=TaskPlan(queued_s=1.5, generating_s=2.5)) as proxy:
        with serve_studio(concurrency=2, env={"AIMLAPI_BASE_URL": proxy.url}) as (_, u):
            yield u


def test_settings_pick_the_aimlapi_and_a_song_shows_its_task_stages(browser, url, artifacts):
    page = open_studio(browser, url, viewport=LAPTOP)
    try:
        assert page.locator("#mg-badge", has_text="Demo engine").count() == 1  # no key anywhere yet
        assert page.locator("#song-model input").input_value() == "music-3.0"  # the default (README says why)
        page.get_by_role("tab", name="Settings").click()
        key_box = page.locator("#settings-aimlapi-key input")
        key_box.wait_for()
        key_box.press_sequentially(SECRET, delay=5)
        page.locator("#mg-badge", has_text="AI/ML API proxy · your key").wait_for(timeout=10_000)
        assert page.locator("#settings-backend input[value='aimlapi']").is_checked()
        page.screenshot(path=str(artifacts / "settings-aimlapi-laptop.png"), full_page=True)
        stored = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
        assert SECRET not in stored and SECRET not in page.request.get(url + "config").text()

        page.get_by_role("tab", name="Instrumental").click()
        page.locator("#instrumental-provider-note", has_text="does not offer instrumentals").wait_for(timeout=10_000)

        page.get_by_role("tab", name="Cover").click()
        page.locator("#cover-provider-note", has_text="does not offer covers").wait_for(timeout=10_000)
        page.get_by_text("Legacy: music-01 reference song — may no longer be served").click()
        page.locator("#legacy-generate").wait_for(timeout=10_000)
        page.locator("#legacy-music01").screenshot(path=str(artifacts / "cover-legacy-music01.png"))

        page.get_by_role("tab", name="Song").click()
        # The model menu followed the backend: the proxy has no music-3.0 (MiniMax's default), so its own default.
        assert page.locator("#song-model input").input_value() == "music-2.6"
        page.locator("#song-prompt textarea").fill("indie folk, melancholic")
        page.locator("#song-lyrics textarea").fill("[Verse]\nStreetlights flicker\n[Chorus]\nPushing the wooden door")
        page.locator("#song-generate").click()
        page.locator("#song-info", has_text="Queued at the AI/ML API").wait_for(timeout=20_000)
        page.locator("#song-info", has_text="Generating on the AI/ML API").wait_for(timeout=20_000)
        page.locator("#song-info").screenshot(path=str(artifacts / "song-aimlapi-generating.png"))
        page.locator("#song-download a").first.wait_for(timeout=30_000)
        assert "AI/ML API (MiniMax model)" in page.locator("#song-info").inner_text()
    finally:
        page.close()
