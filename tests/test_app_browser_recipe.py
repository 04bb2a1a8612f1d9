"""Recipes in headless Chromium: a library song's share link fills a fresh browser's form and generates nothing; its
recipe downloads; a tampered or hostile link leaves the form as it was and says why."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import zlib

import pytest
from ui_fixtures import BROWSER_MARKS, KEYLESS, LAPTOP, open_studio, serve_studio

from musicgen.recipe import from_json
from musicgen.standin import StandIn

pytestmark = BROWSER_MARKS
PROMPT = "Indie folk, melancholic, introspective"
LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nHome"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with serve_studio(data=tmp_path_factory.mktemp("library"), env=KEYLESS) as (_, u):  # the demo engine
        yield u


def open_page(context, url):
    return open_studio(context, url, timeout_ms=15_000)


def link(data: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode().rstrip("=")


def test_a_share_link_fills_a_fresh_browsers_form_and_generates_nothing(browser, url, artifacts, tmp_path):
    alice = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = open_page(alice, url)
    page.locator("#song-prompt textarea").fill(PROMPT)
    page.locator("#song-title").get_by_role("textbox").fill("Streetlights")
    page.locator("#song-lyrics textarea").fill(LYRICS)
    page.locator("#song-stream input").uncheck()
    page.locator("#song-generate").click()
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    page.locator("#song-code").get_by_role("button").first.click()  # "Copy as code"
    curl = page.locator("#song-code-curl .cm-content")
    curl.get_by_text("MINIMAX_API_KEY", exact=False).first.wait_for(timeout=10_000)
    page.locator("#song-code").screenshot(path=str(artifacts / "recipe-copy-as-code.png"))
    snippet = curl.inner_text()
    with StandIn() as stand:  # the snippet, as copied from the page, sends the same request
        env = {**os.environ, "MINIMAX_BASE_URL": stand.url, "MINIMAX_API_KEY": "k"}
        done = subprocess.run(["bash", "-c", snippet], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        (body,) = [r["json"] for r in stand.requests if r["path"] == "/v1/music_generation"]
    assert (body["prompt"], body["lyrics"], body.get("stream", False)) == (PROMPT, LYRICS, False)

    page.get_by_role("tab", name="Library").click()
    page.locator("#library-table").get_by_text("Streetlights").filter(visible=True).first.click()
    share = page.locator("#library-share-link")
    share.wait_for(timeout=10_000)
    href = share.evaluate("a => a.href")
    assert href.startswith(url) and "?recipe=" in href and len(href) < 8192
    page.wait_for_function("() => !document.querySelector('#library-recipe').disabled", timeout=10_000)
    with page.expect_download() as dl:
        page.locator("#library-recipe").click()
    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    made = from_json(saved.read_bytes())
    assert (made.kind, made.prompt, made.lyrics, made.title, made.stream) == (
        "song",
        PROMPT,
        LYRICS,
        "Streetlights",
        False,
    )
    alice.close()

    bob = browser.new_context(viewport=LAPTOP)  # a fresh browser: no token, no session, nothing typed
    page = open_page(bob, href)
    page.locator("#mg-recipe-note", has_text="filled in from the recipe link").wait_for(timeout=10_000)
    assert page.locator("#song-prompt textarea").input_value() == PROMPT
    assert page.locator("#song-lyrics textarea").input_value() == LYRICS
    assert page.locator("#song-title").get_by_role("textbox").input_value() == "Streetlights"
    assert not page.locator("#song-stream input").is_checked()
    page.screenshot(path=str(artifacts / "recipe-link-filled.png"))
    page.wait_for_timeout(2000)  # nothing starts by itself
    assert "Your result appears here" in page.locator("#song-info").inner_text()
    assert page.locator("#song-download a").count() == 0
    bob.close()


def test_a_tampered_or_hostile_link_leaves_the_form_and_says_why(browser, url, artifacts):
    context = browser.new_context(viewport=LAPTOP)
    try:
        good = link({"version": 1, "kind": "song", "model": "music-2.6", "prompt": "Jazz", "lyrics": "[Verse]\nla"})
        for value, said in (
            (good[:-8] + "AAAAAAAA", "damaged"),
            ("A" * 9000, "too long"),
            (link({"version": 9, "kind": "song", "model": "music-2.6", "prompt": "Jazz"}), "version 9"),
            (link({"version": 1, "kind": "song", "model": "music-2.6", "<img src=x onerror=alert(1)>": 1}), "field"),
        ):
            page = open_page(context, f"{url}?recipe={value}")
            note = page.locator("#mg-recipe-note", has_text="The recipe link was not used")
            note.wait_for(timeout=10_000)
            assert said in note.inner_text()
            assert page.locator("#song-prompt textarea").input_value() == ""
            assert page.locator("#mg-recipe-note img").count() == 0
            page.close()

        hostile = '<img src=x onerror="window.__pwned=1">'
        value = link({"version": 1, "kind": "song", "model": "music-2.6", "prompt": hostile, "lyrics": "[Verse]\nla"})
        page = open_page(context, f"{url}?recipe={value}")
        page.locator("#mg-recipe-note", has_text="filled in").wait_for(timeout=10_000)
        assert page.locator("#song-prompt textarea").input_value() == hostile  # text in a box, never HTML
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__pwned") is None
        page.screenshot(path=str(artifacts / "recipe-link-hostile.png"))
    finally:
        context.close()
