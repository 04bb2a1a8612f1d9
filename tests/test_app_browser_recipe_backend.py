"""A share link names its backend. Opened in a fresh browser on a studio whose visitors start elsewhere, it switches
to that backend when the visitor may use it and says so, or keeps the backend and says what differs; it never sets a
key or a server URL, and a link naming an unknown backend is refused as before."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from ui_fixtures import BROWSER_MARKS, LAPTOP, ServerKeyFactory, launched

from musicgen.recipe import Recipe
from musicgen.standin import StandIn
from musicgen.ui import build_app

pytestmark = BROWSER_MARKS
LYRICS = "[Verse]\nStreetlights flicker\n[Chorus]\nHome"


@pytest.fixture(scope="module")
def url():
    mp = pytest.MonkeyPatch()
    for name in ("AIMLAPI_KEY", "MUSIC3_BASE_URL", "MUSICGEN_ACCESS_CODE"):
        mp.delenv(name, raising=False)
    mp.setenv("MINIMAX_API_KEY", "server-key-for-links-123")  # visitors start on MiniMax, on the studio's key
    standin = StandIn().start()
    try:
        with launched(build_app(ServerKeyFactory(standin))) as u:
            yield u
    finally:
        standin.stop()
        mp.undo()


def link(**fields) -> str:
    return Recipe(kind="song", prompt="indie folk", lyrics=LYRICS, **fields).link_value()


def raw_link(data: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode().rstrip("=")


def open_link(context, url: str, value: str):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}?recipe={value}")
    page.locator("#song-prompt textarea").wait_for(timeout=20_000)
    return page


def badge(page) -> str:
    return page.locator("#mg-badge").inner_text()


def test_a_link_made_on_the_demo_engine_switches_a_fresh_browser_to_it(browser, url, artifacts, a11y):
    context = browser.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        page.goto(url)
        page.locator("#mg-badge", has_text="MiniMax").wait_for(timeout=20_000)  # where a visitor starts here
        page.close()

        page = open_link(context, url, link(backend="demo", model="music-2.6"))
        note = page.locator("#mg-recipe-note", has_text="The studio switched to Demo engine")
        note.wait_for(timeout=10_000)
        assert "the backend the recipe was made on" in note.inner_text()
        page.locator("#mg-badge", has_text="Backend: Demo engine").wait_for(timeout=10_000)
        assert page.locator("#song-lyrics textarea").input_value() == LYRICS
        assert page.locator("#song-model input").input_value() == "music-2.6"
        a11y.assert_no_new_violations(page, "recipe-link-switched-backend")
        page.screenshot(path=str(artifacts / "recipe-link-switched.png"))
        page.get_by_role("tab", name="Settings").click()
        assert page.locator("#settings-backend input[value='demo']").is_checked()
        page.get_by_role("tab", name="Song").click()
        page.locator("#song-generate").click()  # and the song is made where the note said
        page.locator("#song-download a").first.wait_for(timeout=60_000)
        assert "demo-engine" in page.locator("#song-download a").first.get_attribute("download")
    finally:
        context.close()


def test_a_link_for_a_backend_the_visitor_cannot_use_fills_the_form_and_says_what_differs(browser, url, artifacts):
    context = browser.new_context(viewport=LAPTOP)
    try:
        # Made on a self-hosted MiniMax-Music3 with a seed and a length cap: not offered on this studio.
        value = link(backend="music3", model="MiniMaxAI/MiniMax-Music3", seed=42, max_seconds=60)
        page = open_link(context, url, value)
        note = page.locator("#mg-recipe-note", has_text="The recipe was made on MiniMax-Music3 (self-hosted)")
        note.wait_for(timeout=10_000)
        text = note.inner_text()
        assert "which is not offered here: the studio stays on MiniMax" in text
        assert "the seed (42) is not used" in text and "the length cap (60 s) is not used" in text
        assert "model MiniMaxAI/MiniMax-Music3 is not offered, music-3.0 is picked instead" in text
        assert page.locator("#song-lyrics textarea").input_value() == LYRICS
        assert page.locator("#song-model input").input_value() == "music-3.0"
        assert "Backend: MiniMax" in badge(page)
        note.screenshot(path=str(artifacts / "recipe-link-other-backend.png"))
        page.close()

        # The AI/ML API is offered, but this visitor has no key for it and the studio none either.
        page = open_link(context, url, link(backend="aimlapi", model="music-2.0"))
        note = page.locator("#mg-recipe-note", has_text="needs your own AI/ML API key here (Settings)")
        note.wait_for(timeout=10_000)
        assert "model music-2.0 is not offered, music-3.0 is picked instead" in note.inner_text()
        assert "Backend: MiniMax" in badge(page)
        page.close()
    finally:
        context.close()


def test_a_link_naming_an_unknown_backend_or_carrying_a_key_or_url_is_refused(browser, url):
    context = browser.new_context(viewport=LAPTOP)
    try:
        base = {"version": 1, "kind": "song", "model": "music-2.6", "prompt": "Jazz", "lyrics": "[Verse]\nla"}
        for extra, said in (
            ({"backend": "evil"}, "backend: must be one of"),
            ({"backend": "music3", "base_url": "http://127.0.0.1:9/"}, "field"),
            ({"backend": "minimax", "api_key": "sk-planted"}, "field"),
        ):
            page = open_link(context, url, raw_link({**base, **extra}))
            note = page.locator("#mg-recipe-note", has_text="The recipe link was not used")
            note.wait_for(timeout=10_000)
            assert said in note.inner_text() and "sk-planted" not in note.inner_text()
            assert page.locator("#song-prompt textarea").input_value() == ""
            assert "Backend: MiniMax" in badge(page)
            page.close()
    finally:
        context.close()
