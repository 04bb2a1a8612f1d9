"""A public studio with an access code and a budget, in headless Chromium, as an invited visitor meets it.

The stand-in plays MiniMax with the server's key; its request log counts what was sent.
"""

from __future__ import annotations

import pytest
from ui_fixtures import BROWSER_MARKS, LAPTOP, ServerKeyFactory, open_studio, serve_studio

from musicgen.access import Policy
from musicgen.budget import Ledger
from musicgen.standin import StandIn
from musicgen.ui.gate import Gate

pytestmark = BROWSER_MARKS
CODE = "violet harbour 42"


@pytest.fixture(scope="module")
def standin():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINIMAX_API_KEY", "studio-own-key-0123")
        for name in ("MINIMAX_BASE_URL", "AIMLAPI_KEY", "AIMLAPI_BASE_URL"):
            mp.delenv(name, raising=False)
        with StandIn(latency_s=0.0, chunk_bytes=16384) as server:
            yield server


@pytest.fixture(scope="module")
def url(standin, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    gate = Gate(Policy(code=CODE, songs_per_visitor=2), Ledger(data))
    with serve_studio(ServerKeyFactory(standin), data=data, gate=gate) as (_, u):
        yield u
    gate.ledger.close()


def badge(page) -> str:
    return page.locator("#mg-badge").inner_text()


def wait_badge(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('#mg-badge').innerText.includes(t)", arg=text, timeout=30_000)


def top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)


def generate(page) -> None:
    page.locator("#song-generate").click()


def test_an_invited_visitor_enters_the_code_spends_the_budget_and_is_told_the_ways_on(
    browser, url, standin, artifacts, a11y
):
    page = open_studio(browser, url, viewport=LAPTOP)
    # Without the code: the demo engine answers, and the badge says why and what to do.
    wait_badge(page, "invited guests")
    assert "Backend: Demo engine" in badge(page)
    page.screenshot(path=str(artifacts / "budget-no-code.png"))

    page.get_by_role("tab", name="Settings").click()
    box = page.get_by_label("Access code")
    box.fill("violet harbour 41")
    box.press("Enter")  # the keyboard alone submits it
    page.get_by_text("That is not the access code").wait_for(timeout=10_000)
    assert "4 more wrong tries" in page.locator("#settings-access-info").inner_text()
    assert box.input_value() == ""  # the code never stays in the page
    a11y.assert_no_new_violations(page, "settings-access-code-refused")
    box.fill(CODE)
    page.get_by_role("button", name="Use the code").click()
    page.get_by_text("Access code accepted").wait_for(timeout=10_000)
    wait_badge(page, "Studio key: 2 of 2 songs left today · resets 00:00 UTC")
    assert "MiniMax (global) · server key" in badge(page)
    top(page)
    a11y.assert_no_new_violations(page, "settings-access-code-accepted")
    page.screenshot(path=str(artifacts / "budget-settings.png"))

    page.get_by_role("tab", name="Song").click()
    page.get_by_text("Indie folk · Streetlights flicker").click()
    page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('Streetlights')")
    generate(page)
    wait_badge(page, "1 of 2 songs left")
    page.locator("#song-download a").first.wait_for(timeout=60_000)
    top(page)
    page.screenshot(path=str(artifacts / "budget-left.png"))
    generate(page)
    wait_badge(page, "0 of 2 songs left")
    generate(page)
    page.get_by_text("Studio key budget used up").first.wait_for(timeout=30_000)
    info = page.locator("#song-info").inner_text()
    assert "00:00 UTC" in info and "your own MiniMax or AI/ML API key" in info and "Demo engine" in info
    page.locator(".toast-close").first.click()  # the toast said it; the info panel and the badge keep saying it
    top(page)
    assert "0 of 2 songs left" in badge(page)
    a11y.assert_no_new_violations(page, "song-budget-spent")
    page.screenshot(path=str(artifacts / "budget-spent.png"))
    assert len([r for r in standin.requests if r["path"] == "/v1/music_generation"]) == 2
    page.close()
