"""Accessibility in headless Chromium: axe in every state a visitor sees, at laptop and phone width (issue 15)."""

from __future__ import annotations

import re

import pytest
from a11y import NO_MOUSE_JS, tab_to
from playwright.sync_api import expect
from ui_fixtures import BROWSER_MARKS, LAPTOP, LYRICS, PHONE, StandInFactory, open_studio, serve_studio, standin_fixture

from musicgen.standin import Fault

pytestmark = BROWSER_MARKS
TABS = ("Song", "Instrumental", "Cover", "Library", "Settings")
ZOOM_200 = {"width": 640, "height": 450}  # a 1280 × 900 window at 200 % zoom


standin = standin_fixture(latency_s=0.0)


@pytest.fixture(scope="module")
def url(standin, tmp_path_factory):
    with serve_studio(StandInFactory(standin), data=tmp_path_factory.mktemp("library")) as (_, u):
        yield u


def open_page(browser, url, viewport, reduced_motion="no-preference", dark=False):
    context = browser.new_context(viewport=viewport, reduced_motion=reduced_motion)
    page = open_studio(context, url + ("?__theme=dark" if dark else ""), timeout_ms=15_000)
    all_tabs_shown(page, viewport)
    return context, page


def all_tabs_shown(page, viewport) -> None:
    """Give Gradio time to lay out the tab row with the web font loaded. Gradio moves tabs that do not fit into a
    "more" menu, and on a busy machine it can measure the phone's row before the font is there; show_tab copes."""
    page.evaluate("() => document.fonts.ready.then(() => true)")
    shown = f"() => [...document.querySelectorAll('[role=tab]')].filter(t => t.offsetParent).length >= {len(TABS)}"
    try:
        page.wait_for_function(shown, timeout=10_000)
    except Exception:
        page.set_viewport_size({**viewport, "width": viewport["width"] + 1})
        page.set_viewport_size(viewport)


def show_tab(page, name: str) -> None:
    tab = page.get_by_role("tab", name=name)
    if tab.is_visible():
        tab.click()
    else:  # in Gradio's "more tabs" menu
        page.locator(".overflow-menu > button").first.click()
        page.locator(".overflow-dropdown button", has_text=name).first.click()
    page.wait_for_function(
        "n => [...document.querySelectorAll('[role=tab]')].some(t => t.textContent.trim() === n "
        "&& t.getAttribute('aria-selected') === 'true')",
        arg=name,
    )
    page.wait_for_timeout(300)  # let the panel lay out before axe measures colours


def listen(page, panel: str) -> None:
    """Record, in window.mgHeard, each text the panel's live region takes (what a screen reader reads out)."""
    page.evaluate(
        """p => { const live = document.querySelector(p + ' [role=status][aria-live=polite]');
        window.mgHeard = [];
        new MutationObserver(() => { const t = live.textContent; if (t && t !== window.mgHeard.at(-1))
          window.mgHeard.push(t); }).observe(live, {childList: true, characterData: true, subtree: true}); }""",
        panel,
    )


def settled(page, selector: str) -> None:
    """Wait until `selector` is fully opaque (faded in), it and every box around it."""
    page.wait_for_function(
        "s => { let el = document.querySelector(s); if (!el) return false; "
        "for (; el; el = el.parentElement) if (getComputedStyle(el).opacity !== '1') return false; return true; }",
        arg=selector,
    )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_state_a_visitor_sees_passes_axe(browser, url, standin, a11y, artifacts, viewport):
    width = "laptop" if viewport is LAPTOP else "phone"
    context, page = open_page(browser, url, viewport)
    for tab in TABS:
        show_tab(page, tab)
        a11y.assert_no_new_violations(
            page, f"{tab.lower()}-empty-{width}" if tab != "Settings" else f"settings-{width}"
        )

    show_tab(page, "Song")
    page.locator("#song-prompt textarea").fill("Indie folk, melancholic, introspective")
    page.locator("#song-title").get_by_role("textbox").fill("Streetlights")
    page.locator("#song-lyrics textarea").fill(LYRICS)
    page.locator("#song-stream input").uncheck()
    listen(page, "#song-info")
    standin.inject(Fault("slow", delay_s=6.0))
    page.locator("#song-generate").click()
    page.locator("#song-info .mg-status").wait_for()
    a11y.assert_no_new_violations(page, f"song-generating-{width}")
    page.screenshot(path=str(artifacts / f"a11y-generating-{width}.png"), full_page=True)

    page.locator("#song-download a").first.wait_for(timeout=30_000)
    page.wait_for_timeout(300)
    a11y.assert_no_new_violations(page, f"song-result-{width}")
    # Named for a screen reader: the player says which song it plays, the link which file it downloads.
    player = page.get_by_role("group", name=re.compile(r"^Song: song-demo-engine-.*\.mp3$"))
    assert player.get_by_role("button", name="Play", exact=True).count() == 1
    assert page.get_by_role("link", name=re.compile(r"^Download song-demo-engine-.*\.mp3 \(.+ KB\)$")).count() == 1
    heard = page.evaluate("() => window.mgHeard")
    assert heard[0] == "Sending the request" and heard[-1].startswith("Done: song-demo-engine-"), heard
    assert heard[-1].endswith("Saved to your Library.") and len(heard) <= 3, heard  # no tick by tick chatter

    standin.inject(Fault("code", code=1004))
    page.locator("#song-generate").click()
    page.get_by_text("API key not accepted").first.wait_for()
    settled(page, ".toast-body")  # axe measures colours: not in the middle of the toast's fade-in
    page.wait_for_function("() => window.mgHeard.at(-1).startsWith('Failed: API key not accepted')")
    a11y.assert_no_new_violations(page, f"song-error-toast-{width}")
    page.screenshot(path=str(artifacts / f"a11y-error-toast-{width}.png"))

    show_tab(page, "Library")
    page.locator("#library-table").get_by_text("Streetlights").filter(visible=True).first.click()
    page.get_by_test_id("waveform-Selected song").wait_for()
    page.get_by_role("group", name=re.compile(r"^Selected song: .*Streetlights")).wait_for()
    page.wait_for_timeout(300)
    a11y.assert_no_new_violations(page, f"library-songs-{width}")
    page.screenshot(path=str(artifacts / f"a11y-library-{width}.png"), full_page=True)
    context.close()


def test_a_running_generation_stops_by_keyboard_and_says_so(browser, url, standin):
    context, page = open_page(browser, url, LAPTOP, reduced_motion="reduce")
    page.evaluate(NO_MOUSE_JS)
    page.locator("#song-prompt textarea").fill("Indie folk, melancholic")  # typing is not what is tested here
    page.locator("#song-lyrics textarea").fill(LYRICS)
    listen(page, "#song-info")
    standin.inject(Fault("slow", delay_s=8.0))
    tab_to(page, "e.id === 'song-generate'")
    page.keyboard.press("Enter")
    page.locator("#song-info .mg-status").wait_for()
    # The visitor asked for less motion: the spinner stands still.
    page.wait_for_function("() => document.querySelector('#song-info .mg-spinner').getAnimations().length === 0")
    tab_to(page, "e.id === 'song-stop'")
    page.keyboard.press("Enter")
    page.locator("#song-info", has_text="Stopped").wait_for()
    page.wait_for_function("() => window.mgHeard.at(-1) === 'Stopped.'")
    assert page.evaluate("() => window.mgPointer") == 0
    context.close()


def test_the_page_reads_in_order_and_reflows_at_200_percent(browser, url, artifacts):
    """English is declared, one h1 leads, and at 200 % zoom of a laptop (640 × 450 CSS px) nothing scrolls sideways."""
    context, page = open_page(browser, url, ZOOM_200)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.locator("h1").all_inner_texts() == ["musicgen studio"]
    for tab in TABS:
        show_tab(page, tab)
        levels = page.evaluate(
            "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(h => h.offsetParent)"
            ".map(h => +h.tagName[1])"
        )
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (tab, levels)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{tab} scrolls sideways by {overflow}px at 200 % zoom"
        page.screenshot(path=str(artifacts / f"zoom200-{tab.lower()}.png"), full_page=True)
    context.close()


def test_dark_mode_passes_axe_too(browser, url, a11y, artifacts):
    context, page = open_page(browser, url, LAPTOP, dark=True)
    assert page.evaluate("() => document.body.classList.contains('dark')")
    for tab in ("Song", "Settings"):
        show_tab(page, tab)
        a11y.assert_no_new_violations(page, f"{tab.lower()}-dark")
    page.screenshot(path=str(artifacts / "a11y-settings-dark.png"), full_page=True)
    context.close()


def test_a_field_out_of_bounds_is_marked_invalid_and_described_by_its_counter(browser, url):
    context, page = open_page(browser, url, LAPTOP)
    show_tab(page, "Cover")
    style = page.locator("#cover-prompt textarea")
    style.fill("Folk")  # the target style needs 10 to 300 characters
    expect(style).to_have_attribute("aria-invalid", "true")
    expect(style).to_have_accessible_description("Style: 4 / 300 characters (at least 10)")
    style.fill("Acoustic folk, warm female vocals")
    expect(style).to_have_attribute("aria-invalid", "false")
    expect(style).to_have_accessible_description("Style: 33 / 300 characters")
    context.close()
