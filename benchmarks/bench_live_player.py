"""The live player as a visitor hears it: when sound starts, and how long it stalls while a song streams.

The studio (on the demo engine, in a child process) streams the "Indie folk" preset to headless Chromium (Debian's
chromium, driven by Playwright). The studio records when the first chunk of the song reached it (the client's
first Chunk); the page samples its live <audio> element every 20 ms: the first moment it plays (currentTime > 0),
and the time it then spends waiting for data (readyState < 3) in the next `--seconds`. Both clocks are this
machine's wall clock. With `--baseline REF`, runs alternate with a studio made from REF's files (`git archive`),
e.g. the commit before a change, so the two are compared side by side on a noisy machine.

    .venv/bin/python benchmarks/bench_live_player.py [--runs 3] [--seconds 20] [--baseline main]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLER = """() => {
  const s = window.__live = {first: null, stalled: 0, last: null};
  setInterval(() => {
    const a = document.querySelector('#song-live audio');
    const now = Date.now();
    if (a && s.first === null && a.currentTime > 0) s.first = now;
    if (a && s.first !== null && s.last !== null && !a.ended && a.readyState < 3) s.stalled += now - s.last;
    s.last = now;
  }, 20);
}"""


def listen_once(code: str, seconds: float) -> dict:
    """In this process: the studio from `code`, one streamed song in Chromium; the timings as a dict."""
    sys.path[:0] = [code, os.path.join(code, "tests")]
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.pop("MINIMAX_API_KEY", None)  # the demo engine: nothing leaves this machine
    os.environ["MUSICGEN_DATA_DIR"] = tempfile.mkdtemp(prefix="bench_live_player_library_")
    from playwright.sync_api import sync_playwright
    from ui_fixtures import CHROMIUM, CHROMIUM_ARGS, LAPTOP, launched

    from musicgen.client import Chunk, MusicClient
    from musicgen.ui import build_app

    first_chunk: list[float] = []
    stream = MusicClient.stream

    def timed(self, request, **kw):
        for item in stream(self, request, **kw):
            if isinstance(item, Chunk) and not first_chunk:
                first_chunk.append(time.time())
            yield item

    MusicClient.stream = timed
    with launched(build_app()) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=LAPTOP)
        page.goto(url)
        page.locator("#song-prompt textarea").wait_for(timeout=30_000)
        page.get_by_text("Indie folk · Streetlights flicker").click()
        page.wait_for_function("() => document.querySelector('#song-lyrics textarea').value.includes('Streetlights')")
        page.evaluate(SAMPLER)
        clicked = time.time()
        page.locator("#song-generate").click()
        page.wait_for_function("() => window.__live.first !== null", timeout=60_000, polling=50)
        first = page.evaluate("() => window.__live.first") / 1000
        time.sleep(max(0.0, first + seconds - time.time()))
        stalled = page.evaluate("() => window.__live.stalled") / 1000
        browser.close()
    return {"after_chunk": first - first_chunk[0], "after_click": first - clicked, "stalled": stalled}


def export(ref: str) -> str:
    folder = tempfile.mkdtemp(prefix="bench_live_player_baseline_")
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to listen after the first sound")
    ap.add_argument("--baseline", help="also measure the player of this commit, alternating (e.g. main)")
    ap.add_argument("--once", help=argparse.SUPPRESS)  # child: the code folder to measure
    args = ap.parse_args()
    if args.once:
        print(json.dumps(listen_once(args.once, args.seconds)), flush=True)
        return
    players = [("this branch", ROOT)] + (
        [(f"baseline {args.baseline}", export(args.baseline))] if args.baseline else []
    )
    results: dict[str, list[dict]] = {name: [] for name, _ in players}
    for run in range(args.runs):
        for name, code in players:
            out = subprocess.run(
                [sys.executable, __file__, "--once", code, "--seconds", str(args.seconds)],
                capture_output=True, text=True, check=True, timeout=300,
            ).stdout  # fmt: skip
            row = json.loads(out.strip().splitlines()[-1])
            results[name].append(row)
            print(f"run {run + 1}, {name}: first sound {row['after_chunk']:.2f} s after the first chunk "
                  f"({row['after_click']:.2f} s after the click), stalled {row['stalled']:.2f} s", flush=True)  # fmt: skip
    print()
    for name, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(f"{name}: median first sound {med['after_chunk']:.2f} s after the first chunk "
              f"({med['after_click']:.2f} s after the click), median stalled {med['stalled']:.2f} s "
              f"in {args.seconds:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
