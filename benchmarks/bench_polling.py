"""Polling the AI/ML API: how soon a finished song is noticed, and how many requests that costs, vs a fixed 15 s poll.

Notice delay = time from a task's completion to our download request, as the stand-in sees it. Requests per minute
= every request about one song (submit, polls, download) divided by the minutes from submitting to downloading.

Simulated time (default): the clients' clock/sleep and the stand-in's task timing share one VirtualClock, so 200
songs finishing uniformly 30–180 s after submission run in seconds over real loopback HTTP; every policy gets the
same draws. --real adds a short wall-clock run (a few tasks finishing 2–6 s after submission, run in parallel) to
confirm the figures on the wire.

    .venv/bin/python benchmarks/bench_polling.py [--songs 200] [--seed 7] [--real] [--compare]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicgen import MusicRequest  # noqa: E402
from musicgen.aimlapi import AimlApiClient, PollPolicy  # noqa: E402
from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan, VirtualClock  # noqa: E402
from musicgen.requests import AudioSetting  # noqa: E402

LYRICS = "[Verse]\nbenchmark line one\nline two\n[Chorus]\nla la la"
REQUEST = MusicRequest.song(
    "benchmark song, lo-fi", LYRICS, audio_setting=AudioSetting(format="wav", sample_rate=16000)
)
POLICIES = {"ours (0.5 s ×1.3, cap 2 s)": PollPolicy(), "fixed 15 s (vendor example)": PollPolicy.fixed(15.0)}
# Other caps, to show why 2 s: the median delay is about half the cap, the request rate about 60 / cap.
ALTERNATIVES = {"cap 1 s": PollPolicy(max_interval=1.0), "cap 3 s": PollPolicy(max_interval=3.0)}
QUEUED_SHARE = 0.1  # the part of a song's time spent queued before generating


@dataclass
class Row:
    """What one policy cost over a set of songs."""

    name: str
    delays: list[float]
    requests: list[int]
    minutes: list[float]

    def line(self) -> str:
        """One table row: notice delay median / p90 / max, requests per song and per minute."""
        d = sorted(self.delays)
        p90 = d[int(0.9 * (len(d) - 1))]
        rpm = statistics.mean(r / m for r, m in zip(self.requests, self.minutes, strict=True))
        per_song = statistics.mean(self.requests)
        return f"{self.name:<30} {statistics.median(d):6.2f} {p90:6.2f} {d[-1]:6.2f} {per_song:8.1f} {rpm:8.1f}"


HEADER = f"{'policy':<30} {'median':>6} {'p90':>6} {'max':>6} {'req/song':>8} {'req/min':>8}   (delays in s)"


def measure(server: ProxyStandIn, task_ids: list[str], name: str) -> Row:
    """Collect the figures for the tasks one policy ran."""
    delays, requests, minutes = [], [], []
    for tid in task_ids:
        task = server.tasks[tid]
        reqs = server.requests_for(tid)
        delays.append(task.downloads[0] - task.done_at)
        requests.append(len(reqs))
        minutes.append((task.downloads[0] - task.created) / 60)
    return Row(name, delays, requests, minutes)


def simulated(songs: int, seed: int, policies: dict[str, PollPolicy]) -> list[Row]:
    """Every policy over the same `songs` completion times, on simulated time."""
    rng = random.Random(seed)
    durations = [rng.uniform(30.0, 180.0) for _ in range(songs)]
    clock = VirtualClock()
    rows = []
    with ProxyStandIn(api_key="bench", clock=clock.now, audio_s=0.25) as server:
        for name, policy in policies.items():
            ids = []
            with AimlApiClient("bench", server.url, poll=policy, clock=clock.now, sleep=clock.sleep) as client:
                for d in durations:
                    server.plan(TaskPlan(queued_s=d * QUEUED_SHARE, generating_s=d * (1 - QUEUED_SHARE)))
                    ids.append(client.generate(REQUEST).extra["generation_id"])
            rows.append(measure(server, ids, name))
    return rows


def real_time(tasks: int, seed: int) -> list[Row]:
    """Ours and the fixed 15 s poll on the wall clock: `tasks` songs each, finishing 2–6 s after submission."""
    rng = random.Random(seed)
    durations = [rng.uniform(2.0, 6.0) for _ in range(tasks)]
    chosen = POLICIES
    with ProxyStandIn(api_key="bench", audio_s=0.25) as server:
        ids: dict[str, list[str]] = {name: [] for name in chosen}
        lock = threading.Lock()

        def run(name: str, policy: PollPolicy, d: float) -> None:
            with AimlApiClient("bench", server.url, poll=policy) as client:
                with lock:  # the plan queue hands plans out in submission order
                    server.plan(TaskPlan(queued_s=0.2, generating_s=d - 0.2))
                    task = client.submit(REQUEST)
                ids[name].append(client.wait(task, request=REQUEST).extra["generation_id"])

        threads = [threading.Thread(target=run, args=(n, p, d)) for n, p in chosen.items() for d in durations]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows = [measure(server, ids[name], name) for name in chosen]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--songs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--real", action="store_true", help="also run a short wall-clock check (about 15 s)")
    ap.add_argument("--real-tasks", type=int, default=4)
    ap.add_argument("--compare", action="store_true", help="also simulate caps of 1 s and 3 s (about 3x longer)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    print(f"simulated time: {args.songs} songs finishing uniformly 30–180 s after submission (seed {args.seed})")
    print(HEADER)
    for row in simulated(args.songs, args.seed, {**POLICIES, **(ALTERNATIVES if args.compare else {})}):
        print(row.line())
    print(f"(ran in {time.perf_counter() - t0:.1f} s of wall time)")
    if args.real:
        t0 = time.perf_counter()
        print(f"\nwall clock: {args.real_tasks} songs per policy finishing 2–6 s after submission, in parallel")
        print(HEADER)
        for row in real_time(args.real_tasks, args.seed):
            print(row.line())
        print(f"(ran in {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
