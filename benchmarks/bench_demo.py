"""Demo engine speed on one core: a 3-minute song's render time and its stream's first chunk.

Targets: renders faster than 20x real time on one core; the stream's first chunk within 1 s.
The process pins itself to one CPU. Each run uses a different prompt so no cache helps.

    .venv/bin/python benchmarks/bench_demo.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicgen import MusicRequest  # noqa: E402
from musicgen.demo import DemoRenderer  # noqa: E402
from musicgen.providers import demo_client  # noqa: E402
from musicgen.requests import AudioSetting  # noqa: E402

GENRES = ["pop", "trap", "indie folk", "house", "rock", "lofi hip hop", "ballad", "synthwave"]


def lyrics_for(seconds: float, bpm: float) -> str:
    """Tagged lyrics long enough for about `seconds` at `bpm` (2 bars per line)."""
    lines_needed = int(seconds / (2 * 4 * 60 / bpm))
    kinds = ["Verse", "Pre Chorus", "Chorus", "Verse", "Chorus", "Bridge", "Chorus", "Outro"]
    out, i = [], 0
    while lines_needed > 0:
        out.append(f"[{kinds[i % len(kinds)]}]")
        for j in range(min(4, lines_needed)):
            out.append(f"line {i} {j} under the open sky tonight")
        lines_needed -= 4
        i += 1
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    renderer = DemoRenderer()
    factors, renders, firsts, totals = [], [], [], []
    with demo_client() as client:
        for i in range(args.runs):
            genre = GENRES[i % len(GENRES)]
            prompt = f"{genre}, 100 BPM, take {i}"
            payload = {"model": "music-2.6", "prompt": prompt, "lyrics": lyrics_for(180, 100),
                       "audio_setting": {"sample_rate": 44100, "bitrate": 256000, "format": "mp3"}}  # fmt: skip
            t0 = time.perf_counter()
            r = renderer.music(payload)
            frames = sum(len(b) for b in r.blocks)
            dt = time.perf_counter() - t0
            seconds = frames / r.sample_rate
            renders.append(dt)
            factors.append(seconds / dt)
            req = MusicRequest.song(prompt + " streamed", payload["lyrics"], audio_setting=AudioSetting())
            t0 = time.perf_counter()
            first = None
            for _item in client.stream(req):
                if first is None:
                    first = time.perf_counter() - t0
            totals.append(time.perf_counter() - t0)
            firsts.append(first)
            print(f"run {i}: {genre:12s} {seconds:6.1f} s song, render {dt:5.2f} s ({seconds / dt:5.1f}x), "
                  f"stream first chunk {first * 1000:6.0f} ms, whole mp3 stream {totals[-1]:5.2f} s")  # fmt: skip
    print(f"median render speed: {statistics.median(factors):.1f}x real time (target > 20x), "
          f"median render {statistics.median(renders):.2f} s")  # fmt: skip
    print(f"median first stream chunk: {statistics.median(firsts) * 1000:.0f} ms (target < 1000 ms); "
          f"median whole streamed mp3: {statistics.median(totals):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
