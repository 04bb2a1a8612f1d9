"""What the budget check adds to a generation click: 20 visitors clicking at once against one ledger.

Each of 20 threads is a visitor (its own browser token and address); in each of `--clicks` rounds all 20 click
Generate at the same moment (a barrier), the worst case for the ledger's lock. A click goes through the gate exactly
as the studio's handlers do: `Gate.visitor` (address, header code), then `Gate.spend` around the call, which takes
a use in one BEGIN IMMEDIATE transaction; the call itself is a sleep of 20–100 ms. Measured per click: the time spent in the gate (entering it and
leaving it), and separately the badge refresh that follows each generation. The ledger starts with `--prefill`
uses of today already recorded (a busy day), on the local disk, WAL mode, as in the studio.

    .venv/bin/python benchmarks/bench_budget.py [--visitors 20] [--clicks 50] [--prefill 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicgen.access import Policy  # noqa: E402
from musicgen.budget import SONG, Ledger, Limits  # noqa: E402
from musicgen.library.owners import new_owner_token  # noqa: E402
from musicgen.ui.gate import Gate  # noqa: E402
from musicgen.ui.session import Session  # noqa: E402

SERVER_KEY = "bench-server-key"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(visitors: int, clicks: int, prefill: int, budget: bool) -> dict[str, float]:
    """One round of clicks; `budget` False is the same path with nothing to count (Gate without a ledger)."""
    with tempfile.TemporaryDirectory(prefix="bench-budget-") as folder:
        ledger = Ledger(folder)
        for i in range(prefill):  # other visitors' songs of the day
            ledger.take(SONG, "minimax", f"{i:040d}", f"198.51.{i // 250}.{i % 250}", Limits())
        policy = Policy(songs_per_visitor=10**6, songs_per_day=10**9)
        gate = Gate(policy, ledger) if budget else Gate(policy, None)
        start = threading.Barrier(visitors)
        in_gate: list[float] = []
        refresh: list[float] = []
        lock = threading.Lock()

        def visitor(n: int) -> None:
            session = Session(owner_token=new_owner_token())
            request = SimpleNamespace(client=SimpleNamespace(host=f"203.0.113.{n}"), headers={})
            rng = random.Random(n)
            mine, mine_refresh = [], []
            for _ in range(clicks):
                start.wait()  # every visitor clicks at the same moment
                t0 = time.perf_counter()
                session = gate.visitor(session, request)
                with gate.spend(session, SONG):
                    t1 = time.perf_counter()
                    time.sleep(rng.uniform(0.02, 0.1))  # the call to the provider (a real one takes 30 s - 5 min)
                    t2 = time.perf_counter()
                t3 = time.perf_counter()
                mine.append((t1 - t0) + (t3 - t2))
                t4 = time.perf_counter()
                gate.refresh(session, request)  # the badge's count after the generation
                mine_refresh.append(time.perf_counter() - t4)
            with lock:
                in_gate.extend(mine)
                refresh.extend(mine_refresh)

        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(visitors)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ledger.close()
    ms = 1000.0
    return {
        "clicks": len(in_gate),
        "gate_p50": statistics.median(in_gate) * ms,
        "gate_p99": percentile(in_gate, 0.99) * ms,
        "gate_max": max(in_gate) * ms,
        "refresh_p50": statistics.median(refresh) * ms,
        "refresh_p99": percentile(refresh, 0.99) * ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--prefill", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["MINIMAX_API_KEY"] = SERVER_KEY  # the server's key serves every click: the gate counts each one
    print(f"{args.visitors} visitors x {args.clicks} clicks, {args.prefill} uses already today; load {os.getloadavg()}")
    print("| run | gate p50 without / with budget | p99 without / with | **p99 added** (target < 5 ms) | "
          "with budget: max | badge refresh p50 / p99 |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for i in range(args.runs):
        base = run(args.visitors, args.clicks, args.prefill, budget=False)
        r = run(args.visitors, args.clicks, args.prefill, budget=True)
        print(
            f"| {i + 1} | {base['gate_p50']:.2f} / {r['gate_p50']:.2f} ms | {base['gate_p99']:.2f} / "
            f"{r['gate_p99']:.2f} ms | **{r['gate_p99'] - base['gate_p99']:.2f} ms** | {r['gate_max']:.2f} ms | "
            f"{r['refresh_p50']:.2f} / {r['refresh_p99']:.2f} ms |"
        )


if __name__ == "__main__":
    main()
