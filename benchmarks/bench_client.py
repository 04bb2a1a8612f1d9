"""Client overhead: the full `generate` call vs a bare httpx.post + json + bytes.fromhex of the same answer.

A 4-minute 256 kbps mp3 is ~7.7 MB, ~15 MB of hex on the wire. Both sides run against the local stand-in, which
runs in a child process so that its buffers are not counted, alternating, and the medians and their ratio are
reported. Peak memory is the tracemalloc peak of the calling process during one call.

    .venv/bin/python benchmarks/bench_client.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc

import httpx

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicgen import MusicClient, MusicRequest  # noqa: E402
from musicgen.standin import StandIn  # noqa: E402

AUDIO_BYTES = 240 * 256_000 // 8  # 4 minutes at 256 kbps = 7.68 MB
LYRICS = "[Verse]\nbenchmark line one\nline two\n[Chorus]\nla la la"


def bare(url: str, payload: dict) -> bytes:
    """What a minimal script does: post, parse all of it, decode the hex."""
    r = httpx.post(url + "/v1/music_generation", json=payload, headers={"Authorization": "Bearer k"}, timeout=600)
    return bytes.fromhex(json.loads(r.content)["data"]["audio"])


def measure(fn) -> tuple[float, int, int]:
    """Seconds, peak traced bytes, and the size of what fn returned."""
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dt, peak, len(out)


def timed(fn) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def canned_audio() -> bytes:
    """The same 7.68 MB in both processes; content does not matter to the transport, size does."""
    return random.Random(42).randbytes(AUDIO_BYTES)


def serve() -> None:
    """Child process: run the stand-in with the canned audio and print its URL."""
    with StandIn() as server:
        server.fixed_audio = canned_audio()
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    url = child.stdout.readline().strip()
    audio = canned_audio()
    try:
        req = MusicRequest.song("benchmark", LYRICS)
        client = MusicClient(api_key="k", base_url=url)
        ours = lambda: client.generate(req).audio  # noqa: E731
        theirs = lambda: bare(url, req.payload())  # noqa: E731
        assert ours() == theirs() == audio
        t_ours, t_bare = [], []
        for _ in range(args.rounds):  # alternate so machine noise hits both alike
            t_ours.append(timed(ours))
            t_bare.append(timed(theirs))
        _, peak_ours, n = measure(ours)
        _, peak_bare, _ = measure(theirs)
        client.close()
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    mo, mb = statistics.median(t_ours), statistics.median(t_bare)
    print(f"audio: {n / 1e6:.2f} MB ({2 * n / 1e6:.1f} MB of hex), rounds: {args.rounds}")
    print(f"time   client.generate: median {mo * 1000:7.1f} ms   bare httpx+json+fromhex: {mb * 1000:7.1f} ms")
    print(f"       ratio client/bare: {mo / mb:.2f}  (target <= 1.10)")
    print(f"memory client.generate peak: {peak_ours / 1e6:6.1f} MB = {peak_ours / n:.2f}x audio  (target <= 3x)")
    print(f"       bare peak:            {peak_bare / 1e6:6.1f} MB = {peak_bare / n:.2f}x audio")


if __name__ == "__main__":
    main()
