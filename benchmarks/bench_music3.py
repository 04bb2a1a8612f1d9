"""A busy self-hosted MiniMax-Music3 server: 17 visitors at once, songs that take 30 s each, admission 16.

Target: the studio keeps 16 songs in flight on the server at once (the engine's default admission,
MUSIC3_CONCURRENCY), so the first 16 finish after about one song's time; the 17th waits in the studio's line with
its position shown ("1 song ahead of yours"), reaches the server when a place frees up, and finishes after about
two songs' time. The studio is `python app.py` configured only through its environment (MUSIC3_BASE_URL pointing at
the stand-in of the engine, no other backend configured); the stand-in (in this process: it only sleeps, and answers
every visitor's identical request from its cache) holds each request `--latency` seconds, as a GPU would. Visitors
use Gradio's REST call API and read its event stream to the end, keeping the progress texts the page shows.

    .venv/bin/python benchmarks/bench_music3.py [--visitors 17] [--latency 30] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import subprocess  # noqa: E402
import tempfile  # noqa: E402

import httpx  # noqa: E402
from bench_studio import ROOT, free_port  # noqa: E402

from musicgen.music3.standin import Music3StandIn  # noqa: E402

PROMPT = "A melancholic lo-fi hip-hop track with a mellow piano riff at 85 BPM"
LYRICS = "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow"
SONG = {"prompt": PROMPT, "lyrics": LYRICS, "seed": "42", "max_seconds": 10, "format": "wav", "stream": False}


class Visitor:
    """One visitor: POST /gradio_api/call/song, then read its event stream, keeping every progress text."""

    def __init__(self, url: str, params: list[dict]) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=600)
        self.names = [p["parameter_name"] for p in params]
        self.defaults = {p["parameter_name"]: p.get("parameter_default") for p in params}

    def song(self) -> tuple[float, list[tuple[float, str]], dict]:
        """Seconds to the finished song, the progress texts seen (with their time), and the metadata."""
        values = {**self.defaults, **{k: v for k, v in SONG.items() if k in self.names}}
        t0 = time.perf_counter()
        posted = self.http.post(f"{self.url}/gradio_api/call/song", json={"data": [values[n] for n in self.names]})
        event_id = posted.json()["event_id"]
        seen: list[tuple[float, str]] = []
        event, outputs = "", None
        with self.http.stream("GET", f"{self.url}/gradio_api/call/song/{event_id}") as r:
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    outputs = json.loads(line.split(":", 1)[1])
                    break
                elif line.startswith("data:") and event == "generating":
                    info = json.loads(line.split(":", 1)[1])[-1]  # the info panel: the page's status line
                    if isinstance(info, str) and info:
                        seen.append((time.perf_counter() - t0, info))
        if event != "complete" or not outputs:
            raise RuntimeError(f"/song ended with {event}: {outputs!r}")
        return time.perf_counter() - t0, seen, outputs[3]


def start_studio(engine_url: str, port: int) -> subprocess.Popen:
    """`python app.py` with only MUSIC3_BASE_URL configured (no MiniMax or AI/ML API key): Music 3 answers."""
    env = {k: v for k, v in os.environ.items() if k not in ("MINIMAX_API_KEY", "AIMLAPI_KEY")}
    env.update(MUSIC3_BASE_URL=engine_url, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    env.setdefault("MUSICGEN_DATA_DIR", tempfile.mkdtemp(prefix="bench_music3_library_"))
    studio = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return studio
        except httpx.HTTPError:
            time.sleep(0.5)
    studio.kill()
    raise SystemExit("the studio did not come up within 120 s")


def round_of(url: str, params: list[dict], standin: Music3StandIn, n: int) -> list[tuple[float, list, dict]]:
    """n visitors click Generate at once; each one's (seconds, progress texts, metadata)."""
    visitors = [Visitor(url, params) for _ in range(n)]
    results: list = [None] * n
    gate = threading.Barrier(n + 1)

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = visitors[i].song()
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    gate.wait()
    for t in threads:
        t.join()
    failed = [x for x in results if isinstance(x, BaseException)]
    if failed:
        raise SystemExit(f"{len(failed)} of {n} visitors failed: {failed[0]!r}")
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=17)
    ap.add_argument("--latency", type=float, default=30.0, help="seconds the stand-in holds each song")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    standin = Music3StandIn(latency_s=args.latency).start()
    port = free_port()
    studio = start_studio(standin.url, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        params = httpx.get(f"{url}gradio_api/info").json()["named_endpoints"]["/song"]["parameters"]
        standin.latency_s = 0.0
        Visitor(url, params).song()  # warm-up: imports, the one render (cached from now on), first connection
        standin.latency_s = args.latency
        firsts, lasts = [], []
        for r in range(args.rounds):
            standin.max_in_flight = 0
            before = len(standin.requests)
            results = round_of(url, params, standin, args.visitors)
            times = sorted(x[0] for x in results)
            arrivals = sorted(e["at"] for e in standin.requests[before:] if e["method"] == "POST")
            queued = [x for x in results if any("Waiting" in text for _, text in x[1])]
            firsts.append(statistics.median(times[:-1]))
            lasts.append(times[-1])
            print(
                f"round {r + 1}: {len(arrivals)} songs reached the server, at most {standin.max_in_flight} at once; "
                f"the first {len(times) - 1} done in {statistics.median(times[:-1]):.1f} s (median, "
                f"{times[0]:.1f}-{times[-2]:.1f}), the last in {times[-1]:.1f} s; it reached the server "
                f"{arrivals[-1] - arrivals[0]:.1f} s after the first; {len(queued)} visitor(s) were told to wait",
                flush=True,
            )
            for _, seen, _meta in queued:
                shown = [text for _, text in seen if "Waiting" in text]
                print(f"  the waiting visitor's page said: {shown[-1][:300]!r} ({len(shown)} updates)")
        print(
            f"\nmedian over {args.rounds} round(s): first {args.visitors - 1} songs {statistics.median(firsts):.1f} s, "
            f"the last {statistics.median(lasts):.1f} s (one song takes {args.latency:.0f} s on the stand-in)"
        )
    finally:
        studio.terminate()
        studio.wait(timeout=30)
        standin.stop()


if __name__ == "__main__":
    main()
