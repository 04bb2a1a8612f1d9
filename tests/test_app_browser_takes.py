"""Takes in headless Chromium on the demo engine: three takes from one click, each card plays; the compare player
switches from A to B at the same moment and keeps playing; Keep ★ marks the song; the board at laptop and phone
width, with axe; a take's file decodes; another session cannot reach it by guessing."""

from __future__ import annotations

import io
import re

import pytest
import soundfile as sf
from ui_fixtures import BROWSER_MARKS, LAPTOP, LYRICS, PHONE, launched

from musicgen.library import Library
from musicgen.ui import build_app

pytestmark = BROWSER_MARKS
CARDS = "#song-live .mg-take"
# The compare player's state, and each card's player's.
COMPARE = """() => { const a = document.querySelector('#song-live .mg-compare audio');
  return a ? {src: a.getAttribute('src') || '', t: a.currentTime, paused: a.paused, hidden: a.closest('.mg-compare').hidden}
           : null; }"""
SWITCH = """async (letter) => {
  const a = document.querySelector('#song-live .mg-compare audio');
  const before = a.currentTime;
  const b = document.querySelector(`#song-live .mg-compare-btn[data-take="${letter}"]`);
  const moved = new Promise((ok) => a.addEventListener('seeked', ok, {once: true}));
  b.click();
  await moved;
  const after = a.currentTime;
  await new Promise((ok) => setTimeout(ok, 600));
  return {before, after, later: a.currentTime, paused: a.paused, src: a.getAttribute('src'),
          pressed: b.getAttribute('aria-pressed')};
}"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    for name in ("MINIMAX_API_KEY", "AIMLAPI_KEY", "MUSIC3_BASE_URL"):
        mp.delenv(name, raising=False)
    library = Library(tmp_path_factory.mktemp("library"))
    demo = build_app(library=library)  # no key: the demo engine
    try:
        with launched(demo) as u:
            yield u, demo
    finally:
        library.close()
        mp.undo()


def three_takes(browser, url, viewport):
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(20_000)
    page.goto(url)
    page.locator("#song-prompt textarea").wait_for()
    page.locator("#song-prompt textarea").fill("Indie folk, warm guitar, 96 BPM")
    page.locator("#song-lyrics textarea").fill(LYRICS)
    page.locator("#song-takes").get_by_label("3").check()
    page.locator("#song-generate").click()
    page.locator(f"{CARDS}").nth(2).wait_for()
    page.wait_for_function(f"() => document.querySelectorAll('{CARDS}.mg-take-done').length === 3", timeout=120_000)
    return page


def test_three_takes_play_and_compare_at_the_same_moment(browser, studio, artifacts, a11y):
    url, demo = studio
    page = three_takes(browser, url, LAPTOP)
    letters = page.locator(CARDS).evaluate_all("els => els.map(e => e.dataset.take)")
    assert letters == ["A", "B", "C"]
    # Each card plays its own take (one at a time: starting one pauses the others).
    for i in range(3):
        page.locator(f"{CARDS} audio").nth(i).evaluate("a => { a.currentTime = 0; return a.play(); }")
        page.wait_for_function(
            "i => { const a = document.querySelectorAll('#song-live .mg-take audio'); "
            "return a[i].currentTime > 0.3 && !a[i].paused && [...a].filter(x => !x.paused).length === 1; }",
            arg=i,
        )
    page.locator(f"{CARDS} audio").nth(2).evaluate("a => a.pause()")
    facts = page.locator(CARDS).nth(1).inner_text().lower()
    assert "done" in facts and "duration" in facts and "trace id" in facts and "lufs" in facts
    assert "settings are the same" in page.locator("#song-live .mg-takes-note").inner_text()
    # The finished player and download below the board hold take A.
    page.locator("#song-download a").first.wait_for()
    # Compare: one player; A is in it, pressed; it plays from 2 s, then B takes over at the same moment.
    state = page.evaluate(COMPARE)
    assert state and not state["hidden"] and state["src"]
    buttons = page.get_by_role("button", name=re.compile(r"^Compare: play take [ABC] from the same moment$"))
    assert buttons.count() == 3 and buttons.first.get_attribute("aria-pressed") == "true"
    player = page.get_by_label("Compare takes: one player, the same moment")
    assert player.count() == 1
    page.evaluate("() => { const a = document.querySelector('#song-live .mg-compare audio'); "
                  "a.currentTime = 2; return a.play(); }")  # fmt: skip
    page.wait_for_function(f"() => {{ const s = ({COMPARE})(); return s.t > 2.3 && !s.paused; }}")
    switched = page.evaluate(SWITCH, "B")
    assert abs(switched["after"] - switched["before"]) < 0.5, switched
    assert not switched["paused"] and switched["later"] > switched["after"]  # it plays on, now take B
    b_src = page.locator(f"{CARDS}[data-take=B] audio").get_attribute("src")
    assert switched["src"] == b_src and switched["pressed"] == "true"
    assert buttons.first.get_attribute("aria-pressed") == "false"
    # The picked take goes below the board: its card, and its file in the download ("Finished download" reads it).
    page.locator("#song-info").get_by_text("Take B of 3 is below.").first.wait_for()
    b_file = b_src.rsplit("/", 1)[1]
    page.wait_for_function("f => [...document.querySelectorAll('#song-download a')].some(a => a.href.endsWith(f))",
                           arg=b_file)  # fmt: skip
    # Paused stays paused: switching back to A keeps the moment and does not start playing.
    page.evaluate("() => document.querySelector('#song-live .mg-compare audio').pause()")
    back = page.evaluate(SWITCH, "A")
    assert back["paused"] and abs(back["after"] - back["before"]) < 0.5
    # The keyboard reaches the buttons: Enter on C switches.
    page.locator("#song-live .mg-compare-btn[data-take=C]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#song-live .mg-compare-btn[data-take=C]')"
                           ".getAttribute('aria-pressed') === 'true'")  # fmt: skip
    page.screenshot(path=str(artifacts / "takes-board-laptop.png"), full_page=True)
    page.locator("#song-live").screenshot(path=str(artifacts / "takes-board-panel.png"))  # README's picture
    a11y.assert_no_new_violations(page, "takes-board-laptop")
    # A take's file, as the page gets it: a whole song, decoded.
    src = page.locator(f"{CARDS}[data-take=C] audio").get_attribute("src")
    response = page.request.get(url + src)
    assert response.status == 200
    data, rate = sf.read(io.BytesIO(response.body()), always_2d=True)
    assert rate == 44100 and len(data) / rate > 5 and abs(data).max() > 0.01
    # Another visitor's guess next to it (another session id, another name) reaches nothing.
    path = src.split("file=", 1)[1]
    folder, name = path.rsplit("/", 1)
    other = folder[:-32] + "0" * 32
    for guess in (f"{other}/{name}", f"{folder}/song-demo-engine-20000101-000000.mp3", f"{folder}/"):
        assert page.request.get(f"{url}gradio_api/file={guess}").status in (403, 404)
    page.close()


def test_the_board_on_a_phone(browser, studio, artifacts, a11y):
    url, _ = studio
    page = three_takes(browser, url, PHONE)
    page.wait_for_function(f"() => !({COMPARE})().hidden")
    page.locator("#song-live").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "takes-board-phone.png"), full_page=True)
    a11y.assert_no_new_violations(page, "takes-board-phone")
    # Nothing on the board is wider than its panel. (The page as a whole flickers 103 px wider on a phone after any
    # song, a single take on main too: Gradio's layout, not the board; so the board is measured, not the page.)
    fits = """() => [...document.querySelectorAll('#song-live .mg-compare, #song-live .mg-takes, #song-live .mg-take')]
        .every(e => e.scrollWidth <= e.clientWidth + 1
                    && e.getBoundingClientRect().width <= document.querySelector('#song-live').clientWidth + 1)"""
    assert page.evaluate(fits)
    page.close()


def test_keep_star_marks_the_takes_song_in_the_library(browser, studio):
    url, demo = studio
    page = three_takes(browser, url, LAPTOP)
    star = page.locator(f"{CARDS}[data-take=B] .mg-star")
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    page.wait_for_function(
        f"() => document.querySelector('{CARDS}[data-take=B] .mg-star').getAttribute('aria-pressed') === 'true'"
    )
    assert "Kept" in star.inner_text()
    # In the Library: one song of the three is kept; the "★ kept only" filter shows it alone.
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-usage .mg-usage").wait_for()
    page.locator("#library-table").get_by_text("★ Indie folk").filter(visible=True).first.wait_for()
    page.get_by_label("★ kept only").check()
    page.locator("#library-usage", has_text="1 kept ★ song").wait_for()
    page.close()
