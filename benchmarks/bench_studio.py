"""Many visitors at once: 10 simultaneous /song requests through the launched studio, against a 5-s stand-in.

Target: the 10 finish within 1.3x the time of a single request (must not exceed 1.5x). Gradio's default would run
them one at a time (about 10x). The studio is built and launched the way app.py does it (same queue and
concurrency settings); the stand-in of MiniMax answers each generation after `--latency` seconds. As in a real
deployment, the studio (`python app.py`, configured only through its environment), the stand-in of MiniMax and the
visitors (separate sessions) are separate processes. Every visitor sends the same request, so after the warm-up
the stand-in answers from its cache: MiniMax renders on its own machines, and the stand-in's rendering must not
compete with the studio for this machine's two cores. Single and concurrent rounds alternate, and the figures are
medians.

A streaming visitor plays the stream as a browser does: as soon as the page gets the live player, it opens the
live URL and reads the song's bytes as they arrive, to the end; its time includes that. `--baseline REF` runs the
same rounds side by side (alternating) against a second studio started from REF's files (`git archive`), e.g. the
commit before a change; there a visitor can only read what that studio offers (with Gradio's HLS player, the
segments are encoded whether or not anyone fetches them, so its figures are a lower bound).

    .venv/bin/python benchmarks/bench_studio.py [--rounds 3] [--visitors 10] [--latency 5] [--stream] [--concurrency N] [--visitor http|gradio_client] [--minutes M] [--baseline REF] [--whole-too]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gradio_client import Client  # noqa: E402

from musicgen.standin import StandIn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nPushing the wooden door, la la"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpVisitor:
    """A visitor as light as curl: Gradio's REST call API (POST, then read the event stream), then the song's file.

    gradio_client costs about as much CPU as the studio itself; on this 2-core machine that CPU is taken from the
    studio, where real visitors' browsers run on their own machines. This visitor does the same round trip
    (request, wait in the queue, progress events, the whole file downloaded) with a fraction of the CPU.
    """

    FIELDS = ("prompt", "lyrics", "lyrics_optimizer", "model", "format", "sample_rate", "bitrate", "stream")
    DEFAULTS = {"lyrics_optimizer": False, "model": "music-2.6", "sample_rate": 44100, "bitrate": 256000}

    def __init__(self, url: str) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=120)
        self.heard = 0  # bytes read from the live URL of the last song
        self.streams = 0  # songs whose live URL was read

    def predict(self, api_name: str, **kw) -> list:
        values = {**self.DEFAULTS, **kw}
        data = [values[name] for name in self.FIELDS]
        event_id = self.http.post(f"{self.url}/gradio_api/call{api_name}", json={"data": data}).json()["event_id"]
        event, outputs, listener = "", None, None
        with self.http.stream("GET", f"{self.url}/gradio_api/call{api_name}/{event_id}") as r:
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    outputs = json.loads(line.split(":", 1)[1])
                    break
                elif listener is None and line.startswith("data:") and 'src=\\"live/' in line:
                    src = re.search(r'src=\\"(live/[^\\"]+)', line).group(1)
                    listener = threading.Thread(target=self.listen, args=(src,))
                    listener.start()  # the browser opens the live URL as soon as the player appears
        if event != "complete" or not outputs:
            raise RuntimeError(f"{api_name} ended with {event}: {outputs!r}")
        song = self.http.get(outputs[2]["url"])
        song.raise_for_status()
        if len(song.content) != outputs[3]["size"]:
            raise RuntimeError("the downloaded file is not the whole song")
        if listener is not None:
            listener.join()
            if self.heard != len(song.content):
                raise RuntimeError(f"the live player got {self.heard} bytes of a {len(song.content)}-byte song")
        self.streams += listener is not None
        return outputs

    def listen(self, src: str) -> None:
        """Read the live URL to its end, as the page's <audio> element does."""
        self.heard = 0
        with self.http.stream("GET", f"{self.url}/{src}") as r:
            r.raise_for_status()
            for piece in r.iter_raw():
                self.heard += len(piece)


def one_song(client, stream: bool, i: int) -> float:
    t0 = time.perf_counter()
    out = client.predict(
        prompt="indie pop, bright synths, 120 BPM", lyrics=LYRICS, format="mp3", stream=stream, api_name="/song"
    )
    dt = time.perf_counter() - t0
    meta = out[3]
    if not isinstance(meta, dict) or not meta.get("trace_id"):
        raise SystemExit(f"visitor {i}: no song came back: {out!r}")
    return dt


def together(clients: list, stream: bool) -> tuple[float, list[float]]:
    """Wall time for all visitors clicking at once, and each one's own time."""
    times: list[float] = [0.0] * len(clients)
    errors: list[BaseException] = []
    start = threading.Barrier(len(clients) + 1)

    def run(i: int) -> None:
        start.wait()
        try:
            times[i] = one_song(clients[i], stream, i)
        except BaseException as exc:  # report after the round
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{len(errors)} of {len(clients)} requests failed: {errors[0]!r}")
    return wall, times


def serve(latency: float, demo: bool) -> None:
    """Child process: the stand-in of MiniMax, until the parent closes our stdin."""
    renderer = None
    if demo:  # songs as long as their lyrics, like real ones
        from musicgen.demo import DemoRenderer

        renderer = DemoRenderer()
    with StandIn(renderer, latency_s=latency) as server:
        print(server.url, flush=True)
        sys.stdin.read()


def export(ref: str) -> str:
    """The files of commit `ref` in a temporary folder (read-only use of the repository)."""
    folder = tempfile.mkdtemp(prefix="bench_studio_baseline_")
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def start_studio(standin_url: str, port: int, concurrency: int | None, root: str = ROOT) -> subprocess.Popen:
    """`python app.py` pointed at the stand-in through the same variables a deployment sets."""
    env = {**os.environ, "MINIMAX_API_KEY": "bench-key", "MINIMAX_BASE_URL": standin_url,
           "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}  # fmt: skip
    if concurrency:
        env["MUSICGEN_CONCURRENCY"] = str(concurrency)
    # Every song is saved to the library: keep the benchmark's out of the real per-user one.
    env.setdefault("MUSICGEN_DATA_DIR", tempfile.mkdtemp(prefix="bench_studio_library_"))
    studio = subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            import httpx

            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return studio
        except Exception:
            time.sleep(0.5)
    studio.kill()
    raise SystemExit("the studio did not come up within 120 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (ffmpeg), from /proc (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--visitors", type=int, default=10)
    ap.add_argument("--latency", type=float, default=5.0, help="seconds the stand-in takes per song")
    ap.add_argument("--minutes", type=float, help="songs about this long, from the demo engine (default: 6-s tones)")
    ap.add_argument("--stream", action="store_true", help="stream the songs (SSE, live player) instead of hex")
    ap.add_argument("--concurrency", type=int, help="MUSICGEN_CONCURRENCY for the studio (default: its own, 20)")
    ap.add_argument(
        "--visitor",
        choices=["http", "gradio_client"],
        default="http",
        help="http: Gradio's REST call API, light on CPU (default); gradio_client: the Python client",
    )
    ap.add_argument("--baseline", help="also run a studio from this commit's files, side by side (e.g. main)")
    ap.add_argument("--whole-too", action="store_true", help="also rounds of the same songs not streamed, alternating")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.latency, bool(args.minutes))
    global LYRICS
    if args.minutes:
        from bench_demo import lyrics_for

        LYRICS = lyrics_for(args.minutes * 60, 120)

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency", str(args.latency)]
        + (["--minutes", "1"] if args.minutes else []),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    standin_url = child.stdout.readline().strip()
    roots = [("this branch", ROOT)] + ([(f"baseline {args.baseline}", export(args.baseline))] if args.baseline else [])
    studios = []
    try:
        for name, root in roots:
            port = free_port()
            studios.append(Studio(name, start_studio(standin_url, port, args.concurrency, root), port, args.stream))
        if args.whole_too:  # the same studio, songs not streamed: the control for the ratio on a loaded machine
            studios.append(Studio("this branch, whole songs", studios[0].proc, studios[0].port, False))
        for st in studios:
            st.visitors = make_visitors(st.url, args)
            one_song(st.visitors[0], st.stream, 0)  # warm-up: imports, first connection
        # CPU of one song, streamed and not, alternating (the target: a stream costs at most 1.5x a whole song).
        for _ in range(3):
            for st in studios[: len(roots)]:
                for stream in (True, False):
                    cpu0 = cpu_seconds(st.proc.pid)
                    one_song(st.visitors[0], stream, 0)
                    st.cpu_one[stream].append(cpu_seconds(st.proc.pid) - cpu0)
        for st in studios[: len(roots)]:
            streamed, whole = statistics.median(st.cpu_one[True]), statistics.median(st.cpu_one[False])
            print(f"{st.name}: studio CPU for one song: streamed {streamed:.2f} s, whole {whole:.2f} s -> "
                  f"{streamed / whole:.1f}x (target <= 1.5x)", flush=True)  # fmt: skip
        for r in range(args.rounds):
            for st in studios:
                single = one_song(st.visitors[r % len(st.visitors)], st.stream, r)
                own0, studio0 = time.process_time(), cpu_seconds(st.proc.pid)
                wall, each = together(st.visitors, st.stream)
                own, studio_cpu = time.process_time() - own0, cpu_seconds(st.proc.pid) - studio0
                st.rounds.append((single, wall, wall / single, studio_cpu))
                print(
                    f"{st.name}, round {r + 1}: single {single:.2f} s, {args.visitors} at once {wall:.2f} s "
                    f"(slowest visitor {max(each):.2f} s) -> ratio {wall / single:.2f}; CPU studio {studio_cpu:.2f} "
                    f"s, visitors {own:.2f} s",
                    flush=True,
                )
        print()
        for st in studios:
            single, wall, ratio, cpu = (statistics.median(x) for x in zip(*st.rounds, strict=True))
            live = sum(getattr(v, "streams", 0) for v in st.visitors)
            print(
                f"{st.name}: median single {single:.2f} s, median {args.visitors} at once {wall:.2f} s, median "
                f"ratio {ratio:.2f} (range {min(r[2] for r in st.rounds):.2f}-{max(r[2] for r in st.rounds):.2f}; "
                f"target <= 1.3, limit 1.5), studio CPU per round {cpu:.1f} s; songs played from a live URL: {live}"
            )
    finally:
        for st in studios[: len(roots)]:
            st.proc.terminate()
            st.proc.wait(timeout=30)
        child.stdin.close()
        child.wait(timeout=30)


class Studio:
    """One launched studio and what was measured on it."""

    def __init__(self, name: str, proc: subprocess.Popen, port: int, stream: bool) -> None:
        self.name, self.proc, self.port, self.stream = name, proc, port, stream
        self.url = f"http://127.0.0.1:{port}/"
        self.visitors: list = []
        self.cpu_one: dict[bool, list[float]] = {True: [], False: []}
        self.rounds: list[tuple[float, float, float, float]] = []


def make_visitors(url: str, args: argparse.Namespace) -> list:
    if args.visitor == "gradio_client":
        downloads = tempfile.mkdtemp(prefix="bench_studio_")
        return [
            Client(url, verbose=False, download_files=downloads, analytics_enabled=False) for _ in range(args.visitors)
        ]
    return [HttpVisitor(url) for _ in range(args.visitors)]


if __name__ == "__main__":
    main()
