"""Measuring and finishing a song on one core: what every result costs (loudness and true peak, measured
once when it is saved) and what a finished download costs (mp3 at 256 kbps, streaming loudness, trim, fades).

Targets: measuring faster than 50x real time (under 4 s added to a 3-minute song); a finished mp3 copy faster than
10x real time (under 20 s for 3 minutes). The process pins itself to one CPU; the song is the demo engine's
instrumental (about 2 minutes, 44.1 kHz stereo mp3 at 256 kbps).

    .venv/bin/python benchmarks/bench_finish.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicgen import MusicRequest  # noqa: E402
from musicgen.finish import FinishRequest, finish_audio  # noqa: E402
from musicgen.loudness import decode, measure_file  # noqa: E402
from musicgen.providers import demo_client  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with demo_client() as client:
        song = client.generate(MusicRequest.instrumental("lo-fi hip hop, 84 BPM, a long take, about three minutes"))
    seconds = len(decode(song.audio)[0]) / song.sample_rate
    measuring, finishing = [], []
    request = FinishRequest(loudness="streaming", trim=True, fade_in_s=1.0, fade_out_s=3.0)
    for _ in range(args.runs):
        t0 = time.perf_counter()
        measure_file(song.audio)
        measuring.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        done = finish_audio(song.audio, "mp3", request)
        finishing.append(time.perf_counter() - t0)
    m, f = statistics.median(measuring), statistics.median(finishing)
    print(f"song: {seconds:.1f} s, {song.format} {song.bitrate // 1000} kbps; finished: {done.measured}")
    print(f"measure (decode + BS.1770 + 4x true peak): median {m:.2f} s = {seconds / m:.0f}x real time "
          f"(range {min(measuring):.2f}-{max(measuring):.2f} s)")  # fmt: skip
    print(f"finished mp3 copy: median {f:.2f} s = {seconds / f:.0f}x real time "
          f"(range {min(finishing):.2f}-{max(finishing):.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
