"""Finished downloads in headless Chromium: a demo-engine result and a Library song, finished as asked, downloaded
and measured with numbers (decoded with soundfile: length, rate, loudness, true peak, silence at the ends, fades)."""

from __future__ import annotations

import numpy as np
import pytest
from ui_fixtures import BROWSER_MARKS, LAPTOP, PHONE, serve_studio

from musicgen import finish, loudness

pytestmark = BROWSER_MARKS
SILENT = 10 ** (-60 / 20)  # the trim threshold: -60 dBFS


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with serve_studio(data=tmp_path_factory.mktemp("library")) as (_, u):
        yield u


def download(page, selector: str, folder):
    with page.expect_download() as dl:
        page.locator(selector).first.click()
    target = folder / dl.value.suggested_filename
    dl.value.save_as(target)
    return target


def silent_ends(samples: np.ndarray, rate: int) -> tuple[float, float]:
    loud = np.abs(samples).max(axis=1) >= SILENT
    return np.argmax(loud) / rate, np.argmax(loud[::-1]) / rate


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def test_a_result_and_a_library_song_download_finished_as_asked(browser, url, artifacts, tmp_path, a11y):
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    page.get_by_role("tab", name="Instrumental").click()
    page.locator("#instrumental-prompt textarea").fill("Lo-fi hip hop, dusty vinyl, rainy night, 84 BPM")
    page.locator("#instrumental-stream input").uncheck()
    page.locator("#instrumental-finish").get_by_text("Finished download").first.click()  # open the accordion
    assert page.locator("#instrumental-finish-make").is_disabled()  # nothing to finish yet
    page.locator("#instrumental-generate").click()
    page.locator("#instrumental-download a").first.wait_for(timeout=90_000)

    # The card shows the measured facts; the original as downloaded has them too.
    card = page.locator("#instrumental-info").inner_text()
    assert "LUFS" in card and "dBTP" in card
    original = download(page, "#instrumental-download a", tmp_path)
    before, rate = loudness.decode(original.read_bytes())
    lead_before, tail_before = silent_ends(before, rate)
    assert f"{loudness.integrated_lufs(before, rate):.1f} LUFS".replace("-", "−") in card
    assert tail_before >= 0.1  # the demo engine's song ends in silence: something for the trim to do

    # Finished: streaming loudness (the default), trim on (the default), 1 s fade in, 3 s fade out.
    page.locator("#instrumental-finish-loudness").get_by_label("Streaming (−14 LUFS)").check()
    assert page.locator("#instrumental-finish-trim input").is_checked()
    page.locator("#instrumental-finish-fade-in input").fill("1")
    page.locator("#instrumental-finish-fade-out input").fill("3")
    page.locator("#instrumental-finish-make").click()
    page.locator("#instrumental-finish-file a").first.wait_for(timeout=90_000)
    summary = page.locator("#instrumental-finish-summary").inner_text()
    assert "−14" in summary and "The original is unchanged" in summary
    page.locator("#instrumental-finish").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "finish-result-laptop.png"), full_page=True)
    a11y.assert_no_new_violations(page, "instrumental-finished")
    finished = download(page, "#instrumental-finish-file a", tmp_path)
    assert finished.name == f"{original.stem}-finished-14LUFS.mp3"  # the song's own format, named as finished

    after, after_rate = loudness.decode(finished.read_bytes())
    assert after_rate == rate == 44100 and after.shape[1] == 2
    assert loudness.integrated_lufs(after, rate) == pytest.approx(-14.0, abs=0.5)
    assert loudness.true_peak_dbtp(after) <= -1.0
    trimmed = lead_before * (lead_before >= 0.1) + tail_before  # the 0.1 s rule: only silences that long go
    assert len(after) / rate == pytest.approx(len(before) / rate - trimmed, abs=0.05)
    assert silent_ends(after, rate)[0] < 0.1  # no silence left at the start
    # Sample for sample, the finished copy is the original without its silent ends, faded: it correlates with that
    # (the limiter and the mp3 encoder change the level, not the waveform), best at no shift at all.
    cut = before[round(lead_before * rate) if lead_before >= 0.1 else 0 : len(before) - round(tail_before * rate)]
    expected = finish.apply_fades(cut, rate, 1.0, 3.0)
    n = min(len(after), len(expected)) - 4
    match = [np.corrcoef(after[2 + k : 2 + k + n].ravel(), expected[2 : 2 + n].ravel())[0, 1] for k in (-1, 0, 1)]
    assert match[1] > 0.98 and match[1] == max(match)

    # The fades, as the level of the finished copy over the original's at the same moment (relative to the middle):
    # a quarter of the way into the 1 s fade in about 0.25, halfway 0.5, then full, and halfway out of the 3 s fade
    # out 0.5 again.
    def ratio(at_s: float) -> float:
        w = slice(round((at_s - 0.05) * rate), round((at_s + 0.05) * rate))
        return rms(after[w]) / rms(cut[w])

    length = len(after) / rate
    middle = np.median([ratio(t) for t in np.linspace(2.0, length - 4.0, 9)])
    for at_s, level in ((0.25, 0.25), (0.5, 0.5), (1.5, 1.0), (length - 1.5, 0.5), (length - 0.5, 1 / 6)):
        assert ratio(at_s) / middle == pytest.approx(level, abs=0.08), f"level at {at_s:.2f} s"
    assert original.read_bytes() == download(page, "#instrumental-download a", tmp_path / "again").read_bytes()

    # The same song in the Library, finished for broadcast with the keyboard alone.
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-table").get_by_text("Lo-fi hip hop").filter(visible=True).first.click()
    page.locator("#library-finish").get_by_text("Finished download").first.click()
    page.wait_for_function("() => document.querySelector('#library-finish-make')?.disabled === false")
    detail = page.locator("#library-detail").inner_text()
    assert f"{loudness.integrated_lufs(before, rate):.1f} LUFS".replace("-", "−") in detail  # from the store
    page.locator("#library-finish-loudness").get_by_label("Broadcast (−23 LUFS)").focus()
    page.keyboard.press("Space")
    page.locator("#library-finish-make").focus()
    page.keyboard.press("Enter")
    page.locator("#library-finish-file a").first.wait_for(timeout=90_000)
    page.screenshot(path=str(artifacts / "finish-library-laptop.png"), full_page=True)
    a11y.assert_no_new_violations(page, "library-finished")
    broadcast = download(page, "#library-finish-file a", tmp_path)
    assert broadcast.name.endswith("-finished-23LUFS.mp3")
    samples, rate = loudness.decode(broadcast.read_bytes())
    assert loudness.integrated_lufs(samples, rate) == pytest.approx(-23.0, abs=0.5)
    assert loudness.true_peak_dbtp(samples) <= -1.0

    # On a phone the controls fit the screen. (Only a fresh page: on main, opening any accordion in the Library while a
    # song is selected widens the page at phone width, a Gradio tab-bar quirk this change did not make.)
    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(url)
    phone.get_by_role("tab", name="Instrumental").click()
    phone.locator("#instrumental-finish").get_by_text("Finished download").first.click()
    phone.locator("#instrumental-finish-make").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    phone.screenshot(path=str(artifacts / "finish-controls-phone.png"), full_page=True)
    a11y.assert_no_new_violations(phone, "instrumental-finish-controls-phone")
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the finished-download controls make the page scroll sideways by {overflow}px on a phone"
    context.close()
