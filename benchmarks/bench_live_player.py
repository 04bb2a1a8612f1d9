"""The live player as a visitor hears it: when sound starts, and how long it stalls while a song streams.

The studio (on the demo engine, in this process) streams the "Indie folk" preset to headless Chromium (Debian's
chromium, driven by Playwright), and the page's <audio> element is sampled every 0.1 s from the click on
"Generate song": the first moment it plays, and the time it spends waiting for data (readyState < 3) afterwards.
Side by side, alternating, with the previous way of cutting pieces (everything decoded so far in one piece), so the
ratio holds on a noisy machine.

    .venv/bin/python benchmarks/bench_live_player.py [--runs 3] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.pop("MINIMAX_API_KEY", None)  # the demo engine: nothing leaves this machine
# Every song is saved to the library: keep the benchmark's out of the real per-user one.
os.environ.setdefault("MUSICGEN_DATA_DIR", tempfile.mkdtemp(prefix="bench_live_player_library_"))

from playwright.sync_api import sync_playwright  # noqa: E402
from ui_fixtures import CHROMIUM, CHROMIUM_ARGS, LAPTOP, launched  # noqa: E402

from musicgen.ui import build_app  # noqa: E402
from musicgen.ui.live_audio import LiveDecoder  # noqa: E402

STATE = """() => { const a = document.querySelector('#song-live audio');
  return a ? [a.currentTime, a.readyState] : null; }"""
_hand_on = LiveDecoder._hand_on


def whole_pieces(self: LiveDecoder, final: bool):
    """The earlier way: hand on everything decoded so far once a piece is due."""
    return _hand_on(self, final or len(self._pending) // (2 * self.channels) >= self._due())


def listen(page, url: str, seconds: float) -> tuple[float, float]:
    """(seconds from the click to the first sound, seconds stalled in the next `seconds`)."""
    page.goto(url)
    page.locator("#song-prompt textarea").wait_for(timeout=30_000)
    page.get_by_text("Indie folk · Streetlights flicker").click()
    page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('Streetlights')")
    t0 = time.monotonic()
    page.locator("#song-generate").click()
    first, stalled = None, 0.0
    while first is None or time.monotonic() - t0 < first + seconds:
        time.sleep(0.1)
        state = page.evaluate(STATE)
        if time.monotonic() - t0 > 60:
            raise SystemExit("no sound within 60 s")
        if state and state[0] > 0 and first is None:
            first = time.monotonic() - t0
        elif first is not None and state[1] < 3:
            stalled += 0.1
    return first, stalled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to listen after the first sound")
    args = ap.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"one-second pieces first": [], "everything decoded": []}
    with launched(build_app()) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for run in range(args.runs):
            for name in results:
                LiveDecoder._hand_on = _hand_on if name.startswith("one") else whole_pieces
                page = browser.new_page(viewport=LAPTOP)
                first, stalled = listen(page, url, args.seconds)
                page.close()
                results[name].append((first, stalled))
                print(f"run {run + 1}, {name}: first sound {first:.2f} s, stalled {stalled:.1f} s", flush=True)
        browser.close()
    LiveDecoder._hand_on = _hand_on
    print()
    for name, rows in results.items():
        first = statistics.median(r[0] for r in rows)
        stalled = statistics.median(r[1] for r in rows)
        print(f"{name}: median first sound {first:.2f} s, median stalled {stalled:.1f} s in {args.seconds:.0f} s")


if __name__ == "__main__":
    main()
