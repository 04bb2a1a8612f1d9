"""The Showcase in headless Chromium: the owner publishes and orders songs; another browser sees, plays and links them.

Two browser contexts are two people: the owner (who entered MUSICGEN_OWNER_CODE in Settings) and a visitor with
fresh storage and no code.
"""

from __future__ import annotations

import pytest
import soundfile as sf
from gradio_client import Client
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from ui_fixtures import BROWSER_MARKS, LAPTOP, PHONE, open_studio, serve_studio

from musicgen.access import Policy
from musicgen.budget import Ledger
from musicgen.showcase import Showcase
from musicgen.ui.gate import Gate

pytestmark = BROWSER_MARKS
OWNER_CODE = "owner-code-browser-5e6f"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
WIDEST = """() => [...document.querySelectorAll('.main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => `${e.tagName}#${e.id}.${String(e.className.baseVal ?? e.className).slice(0, 30)}:${Math.round(e.getBoundingClientRect().left)}-${Math.round(e.getBoundingClientRect().right)}`).slice(0, 40)"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    showcase = Showcase(data)
    with serve_studio(data=data, gate=Gate(Policy(owner_code=OWNER_CODE), Ledger(data)), showcase=showcase) as (_, u):
        yield u, showcase


def open_page(context, url):
    return open_studio(context, url, timeout_ms=15_000)


def make_song(page, title: str, prompt: str) -> None:
    page.get_by_role("tab", name="Song").click()
    page.locator("#song-prompt textarea").fill(prompt)
    page.locator("#song-title").get_by_role("textbox").fill(title)
    page.locator("#song-lyrics textarea").fill(f"[Verse]\n{title} in the evening light\n[Chorus]\nSing it home")
    page.locator("#song-stream input").uncheck()
    page.locator("#song-generate").click()
    page.wait_for_function(
        "t => (document.querySelector('#song-info') || {}).innerText.includes('Saved to your Library')", arg=title,
        timeout=60_000,
    )  # fmt: skip


def publish_from_library(page, title: str) -> None:
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-table").get_by_text(title).filter(visible=True).first.click()
    page.wait_for_function(
        "t => document.querySelector('#library-detail').innerText.includes(t)", arg=title, timeout=10_000
    )
    page.locator("#library-publish").click()
    page.get_by_text(f"Published “{title}”").first.wait_for(timeout=10_000)


def open_showcase(page) -> None:
    page.get_by_role("tab", name="Showcase").click()
    page.locator("#showcase-empty, #showcase-list").filter(visible=True).first.wait_for(timeout=10_000)


def listed(page, count: int | None = None) -> list[str]:
    """The titles in the Showcase list, in order (once it shows `count` songs, when given)."""
    if count is not None:
        page.wait_for_function(
            "n => document.querySelectorAll('#showcase-list label').length === n", arg=count, timeout=10_000
        )
    labels = page.locator("#showcase-list label").filter(visible=True)
    return [t.split(" · ")[0].strip() for t in labels.all_inner_texts()]


def pick(page, title: str) -> None:
    page.locator("#showcase-list label").filter(has_text=title).first.click()
    page.wait_for_function(
        "t => (document.querySelector('#showcase-head h2') || {}).innerText === t", arg=title, timeout=10_000
    )


def test_owner_publishes_and_orders_a_visitor_sees_plays_and_links_unpublish_removes(
    studio, browser, artifacts, tmp_path, a11y
):
    url, showcase = studio
    visitor = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    them = open_page(visitor, url)
    open_showcase(them)
    assert "Nothing is published yet" in them.locator("#showcase-empty").inner_text()
    assert "MUSICGEN_OWNER_CODE" in them.locator("#showcase-empty").inner_text()
    assert not them.locator("#showcase-pane").is_visible()  # no empty player beside the note
    them.screenshot(path=str(artifacts / "showcase-empty-laptop.png"), full_page=True)
    a11y.assert_no_new_violations(them, "showcase-empty-laptop")

    owner = browser.new_context(viewport=LAPTOP)
    me = open_page(owner, url)
    make_song(me, "Harbor Lights", "Warm indie folk, acoustic guitar, hopeful")
    make_song(me, "Night Market", "Neon synth-pop, driving bass, city at night")
    assert not me.locator("#library-publish").is_visible()  # no code yet: no publish button
    me.get_by_role("tab", name="Settings").click()
    me.locator("#settings-owner").get_by_text("Showcase owner").click()
    me.locator("#settings-owner-code input").fill(OWNER_CODE)
    me.locator("#settings-owner-code input").press("Enter")
    me.locator("#settings-owner-info").get_by_text("Owner code accepted").wait_for(timeout=10_000)
    publish_from_library(me, "Harbor Lights")
    publish_from_library(me, "Night Market")
    open_showcase(me)
    assert listed(me, 2) == ["Night Market", "Harbor Lights"]  # newest first
    pick(me, "Harbor Lights")
    me.locator("#showcase-up").click()
    me.wait_for_function(
        "() => document.querySelector('#showcase-list label').innerText.startsWith('Harbor Lights')", timeout=10_000
    )
    assert [s.title for s in showcase.list()] == ["Harbor Lights", "Night Market"]
    a11y.assert_no_new_violations(me, "showcase-owner-laptop")

    # The visitor (no code) sees them in the owner's order, without the owner's controls, and plays one.
    them.reload()
    them.locator("#song-prompt textarea").wait_for(timeout=20_000)
    open_showcase(them)
    assert listed(them, 2) == ["Harbor Lights", "Night Market"]
    assert not them.locator("#showcase-owner").is_visible() and not them.locator("#settings-owner-code").is_visible()
    pick(them, "Night Market")
    detail = them.locator("#showcase-detail").inner_text()
    assert "Neon synth-pop" in detail and "Night Market in the evening light" in detail and "LUFS" in detail
    assert "Demo engine" in them.locator("#showcase-head").inner_text()
    them.get_by_test_id("waveform-Showcase song").wait_for(timeout=10_000)
    them.wait_for_function(  # the waveform has loaded the audio
        "() => (document.querySelector('#showcase-player #duration') || {}).innerText > '0:00'", timeout=10_000
    )
    them.locator("#showcase-player button[aria-label='Play']").click()
    them.wait_for_function(  # the player's clock moves: it is playing
        "() => (document.querySelector('#showcase-player #time') || {}).innerText > '0:00'", timeout=10_000
    )
    with them.expect_download() as dl:
        them.locator("#showcase-download").click()
    target = tmp_path / dl.value.suggested_filename
    dl.value.save_as(target)
    assert target.name == "Night Market.mp3" and sf.info(str(target)).duration > 5
    them.wait_for_timeout(300)
    them.screenshot(path=str(artifacts / "showcase-songs-laptop.png"), full_page=True)
    a11y.assert_no_new_violations(them, "showcase-songs-laptop")

    # Its link opens the Showcase on that song, here on a phone.
    link = them.locator("#showcase-link").get_attribute("href")
    assert link.startswith("?song=") and showcase.list()[1].id in link
    on_phone = browser.new_context(viewport=PHONE)  # the link sent to someone who opens it on a phone
    phone = on_phone.new_page()
    phone.goto(url + link)
    phone.wait_for_function(
        "() => (document.querySelector('#showcase-head h2') || {}).innerText === 'Night Market'", timeout=20_000
    )
    assert phone.get_by_role("tab", name="Showcase").get_attribute("aria-selected") == "true"
    try:  # the layout settles (the theme's phone rules apply) within a few seconds, then fits the screen
        phone.wait_for_function(f"() => {OVERFLOW} <= 1", timeout=10_000)
    except PlaywrightTimeout:
        pass
    overflow = phone.evaluate(f"() => {OVERFLOW}")
    info = phone.evaluate("() => [window.innerWidth, getComputedStyle(document.querySelector('.main')).paddingLeft]")
    assert overflow <= 1, f"the Showcase scrolls sideways by {overflow}px on a phone: {info} {phone.evaluate(WIDEST)}"
    phone.screenshot(path=str(artifacts / "showcase-song-phone.png"), full_page=True)
    a11y.assert_no_new_violations(phone, "showcase-song-phone")

    # The visitor's own publish attempt through gradio_client is refused: no such endpoint.
    with pytest.raises(ValueError):
        Client(url, verbose=False, analytics_enabled=False).predict(api_name="/do_publish")

    # Unpublishing removes it for everyone: the list, and the link.
    pick(me, "Night Market")
    me.locator("#showcase-unpublish").click()
    me.wait_for_function("() => !document.querySelector('#showcase-list').innerText.includes('Night Market')")
    them.get_by_role("tab", name="Library").click()
    open_showcase(them)
    them.wait_for_function("() => !document.querySelector('#showcase-list').innerText.includes('Night Market')")
    assert listed(them, 1) == ["Harbor Lights"]
    phone.goto(url + link)
    phone.locator("#showcase-note").get_by_text("no longer shown").wait_for(timeout=20_000)
    phone.screenshot(path=str(artifacts / "showcase-gone-phone.png"), full_page=True)
    a11y.assert_no_new_violations(phone, "showcase-gone-phone")
    on_phone.close()
    visitor.close()
    owner.close()
