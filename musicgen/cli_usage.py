"""`python -m musicgen usage [--days 7] [--json]`: what the server's own keys spent, for the owner of a Space.

Reads the ledger (usage.db in MUSICGEN_DATA_DIR) the studio writes: per UTC day and backend, the songs and helper
calls (lyrics, cover analysis, music-01 uploads) made on the server's keys, how many distinct visitors made them,
and the refusals (budget spent, access code missing or wrong, address paused after wrong codes). It shows counts
only: the ledger keeps no raw address or token, only salted hashes, and nothing older than 30 days.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .budget_store import FILE_NAME, KEEP_DAYS, Store, utc_day
from .library.settings import resolve_data_dir

COLUMNS = (
    ("day", "day (UTC)"),
    ("backend", "backend"),
    ("songs", "songs"),
    ("helper_calls", "helper calls"),
    ("visitors", "visitors"),
    ("refused_budget", "refused: budget"),
    ("refused_code", "refused: code"),
    ("refused_throttled", "refused: throttled"),
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add `usage` to the CLI's subcommands."""
    p = sub.add_parser("usage", help="what the server's own keys spent, per UTC day and backend (for the owner)")
    p.add_argument("--days", type=int, default=7, help=f"how many UTC days back, today included (1–{KEEP_DAYS})")
    p.add_argument("--json", action="store_true", help="print JSON (a list of rows) instead of a table")


def run(args: argparse.Namespace) -> int:
    """Print the record; exit status 2 for a bad --days."""
    if not 1 <= args.days <= KEEP_DAYS:
        print(f"error: --days must be between 1 and {KEEP_DAYS} (the record keeps {KEEP_DAYS} days)", file=sys.stderr)
        return 2
    folder = resolve_data_dir()
    if not (folder / FILE_NAME).is_file():
        rows: list[dict] = []
    else:
        store = Store(folder)
        try:
            rows = store.report(utc_day(time.time() - (args.days - 1) * 86400.0))
        finally:
            store.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"Nothing spent on the server's keys in the last {args.days} day(s) ({folder / FILE_NAME}).")
        return 0
    table = [[title for _, title in COLUMNS]] + [[str(r[key]) for key, _ in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    for line in table:
        cells = zip(line, widths, strict=True)
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(cells)))
    print("visitors: distinct browsers (scripts: one per session); no address or token is stored, only hashes.")
    return 0
