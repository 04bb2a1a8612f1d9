"""Song library crash safety: kill -9 during saves and deletes leaves whole entries or none."""

from __future__ import annotations

import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from musicgen.library import Library, new_owner_token

ROOT = Path(__file__).resolve().parents[1]

# Saves 2-5 MB songs as fast as it can; every few saves it deletes one and purges it at once,
# so kills also land between a row's deletion and its file's removal.
WRITER = """
import os, random, sys
sys.path.insert(0, sys.argv[3])
from musicgen.library import Library
lib = Library(sys.argv[1], max_bytes_per_owner=0, undo_grace_s=0)
owner = sys.argv[2]
rng = random.Random()
base = rng.randbytes(5_000_000)  # made once, so the loop spends its time saving
print("ready", flush=True)
n = 0
while True:
    audio = n.to_bytes(8, "big") + base[: rng.randint(2_000_000, 5_000_000)]
    entry = lib.save(owner, audio=audio, audio_format="mp3", kind="song", params={"prompt": f"take {n}"},
                     metadata={"n": n}, provider="demo", partial=n % 3 == 0)
    n += 1
    print("saved", flush=True)
    if n % 4 == 0:
        lib.delete(owner, entry.id)
        lib.cleanup()
"""


def check_consistent(data_dir: Path, owner: str) -> int:
    """Open the library as the app would and verify every entry; return how many there are."""
    with Library(data_dir, undo_grace_s=0) as lib:
        entries = lib.list(owner, limit=10_000)
        for entry in entries:
            data = entry.audio_path.read_bytes()
            assert len(data) == entry.size, entry
            assert hashlib.sha256(data).hexdigest() == entry.sha256, entry
        # The sweep on open removed every temp file and every file no row points to.
        assert list((data_dir / "tmp").iterdir()) == []
        on_disk = {p for p in (data_dir / "audio").rglob("*") if p.is_file()}
        assert on_disk == {e.audio_path for e in entries}
    with sqlite3.connect(data_dir / "index.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    return len(entries)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_during_saves_never_leaves_a_broken_entry(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    owner = new_owner_token()
    rng = random.Random()
    leftovers = 0
    for round_ in range(7):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir), owner, str(ROOT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
            # Let it finish a few saves first (at least one in the first round, so there is something to check),
            # counted, not timed: a busy machine only makes the test slower. Then kill it mid-way at a random moment.
            for _ in range(rng.randint(1 if round_ == 0 else 0, 2)):
                assert proc.stdout and proc.stdout.readline().strip() == "saved", proc.stderr and proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.3))
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=10)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        assert proc.returncode == -signal.SIGKILL
        leftovers += len(list((data_dir / "tmp").iterdir()))
        check_consistent(data_dir, owner)
    count = check_consistent(data_dir, owner)
    assert count > 0, "the writer never finished a save; the test proved nothing"
    print(f"{count} entries intact; {leftovers} interrupted temp file(s) swept")


# Dies (like kill -9: no cleanup runs) at one exact step of a save or a purge.
CRASH_AT = """
import os, sys
sys.path.insert(0, sys.argv[3])
from musicgen.library import Library, maintenance
lib = Library(sys.argv[1], undo_grace_s=0)
owner, point = sys.argv[2], sys.argv[4]
def die(*args, **kwargs):
    os._exit(9)
def save(n):
    return lib.save(owner, audio=bytes([n]) * 300_000, audio_format="wav", kind="song",
                    params={"prompt": f"take {n}"}, metadata={}, provider="demo")
if point == "before-rename":
    os.replace = die
elif point == "after-rename":
    real_replace = os.replace
    def replace_then_die(src, dst):
        real_replace(src, dst)
        os._exit(9)
    os.replace = replace_then_die
elif point == "mid-purge":
    doomed = save(1)
    lib.delete(owner, doomed.id)
    maintenance.remove_quietly = die
    lib.cleanup()
save(2)
"""


def crash_at(data_dir: Path, owner: str, point: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_AT, str(data_dir), owner, str(ROOT), point],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 9, proc.stderr


@pytest.mark.parametrize("point", ["before-rename", "after-rename", "mid-purge"])
def test_crash_at_each_step_leaves_whole_entries_only(tmp_path: Path, point: str) -> None:
    data_dir = tmp_path / "data"
    owner = new_owner_token()
    with Library(data_dir) as lib:
        kept = lib.save(
            owner,
            audio=b"kept" * 1000,
            audio_format="mp3",
            kind="song",
            params={},
            metadata={},
            provider="demo",
        )
    crash_at(data_dir, owner, point)
    # The crash did leave something behind (a temp file, or an audio file with an unfinished row)...
    left = [p for sub in ("tmp", "audio") for p in (data_dir / sub).rglob("*") if p.is_file()]
    assert len(left) == 2
    # ...which the next open clears, keeping exactly the one complete entry.
    assert check_consistent(data_dir, owner) == 1
    with Library(data_dir) as lib:
        assert lib.list(owner) == [kept]
        assert lib.read_audio(owner, kept.id) == b"kept" * 1000


def test_open_while_another_library_is_live_spares_its_unfinished_save(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    owner = new_owner_token()
    live = Library(data_dir)  # stands for another worker process still running
    try:
        crash_at(data_dir, owner, "after-rename")
        leftovers = [p for p in (data_dir / "audio").rglob("*") if p.is_file()]
        assert len(leftovers) == 1
        # Someone else holds the data dir, so a fresh save of theirs is not assumed dead.
        Library(data_dir).close()
        assert leftovers[0].exists()
    finally:
        live.close()
    # Now nobody else is using it: the interrupted save is cleared on open.
    assert check_consistent(data_dir, owner) == 0
    assert not leftovers[0].exists()
