"""`python -m musicgen batch`: 50 recipes against a stand-in that answers each in 5 s, at concurrency 20.

Target: the batch finishes within 1.3 × (ceil(50 / 20) × 5 s) = 19.5 s, i.e. it keeps 20 songs in flight and adds
little of its own (reading, writing files atomically, the manifest, the progress bar). The batch runs as the CLI
runs, in a child process; the stand-in (MiniMax's contract on 127.0.0.1) runs in this one.

    .venv/bin/python benchmarks/bench_batch.py [--recipes 50] [--concurrency 20] [--latency 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from musicgen.recipe import Recipe  # noqa: E402
from musicgen.requests import AudioSetting  # noqa: E402
from musicgen.standin import StandIn  # noqa: E402


def recipes(n: int, round_no: int) -> str:
    """n different short songs (a new prompt each round, so nothing is answered from the stand-in's cache)."""
    return "\n".join(
        Recipe(
            kind="song", model="music-2.6", prompt=f"Indie folk take {round_no}-{i}, 90 BPM",
            lyrics="[Verse]\nla la la\n[Chorus]\noh oh", audio_setting=AudioSetting(format="wav", sample_rate=16000),
        ).to_json(indent=None)
        for i in range(n)
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipes", type=int, default=50)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--latency", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    ideal = math.ceil(a.recipes / a.concurrency) * a.latency
    times = []
    with StandIn() as stand, tempfile.TemporaryDirectory() as tmp:
        stand.configure(latency_s=a.latency)
        env = {**os.environ, "MINIMAX_BASE_URL": stand.url, "MINIMAX_API_KEY": "k", "PYTHONPATH": str(ROOT)}
        for r in range(a.rounds):
            path, out = Path(tmp) / f"r{r}.jsonl", Path(tmp) / f"out{r}"
            path.write_text(recipes(a.recipes, r), encoding="utf-8")
            argv = [sys.executable, "-m", "musicgen", "batch", str(path), "--out", str(out)]
            argv += ["--concurrency", str(a.concurrency)]
            start = time.monotonic()
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
            took = time.monotonic() - start
            assert done.returncode == 0, done.stderr[-2000:]
            assert len(list(out.glob("*.wav"))) == a.recipes
            times.append(took)
            print(f"round {r + 1}: {took:.2f} s ({took / ideal:.2f} × ideal {ideal:.0f} s)")
    med = statistics.median(times)
    print(f"median {med:.2f} s = {med / ideal:.2f} × ideal (target ≤ 1.30); range {min(times):.2f}–{max(times):.2f} s")


if __name__ == "__main__":
    main()
