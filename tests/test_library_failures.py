"""Song library under stress: caps, a full disk and a broken index give clear errors and lose nothing."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from musicgen.library import (
    Library,
    LibraryError,
    LibraryFullError,
    LibraryUnavailableError,
    new_owner_token,
)
from musicgen.library.db import Index

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_library_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MUSICGEN_DATA_DIR", "MUSICGEN_LIBRARY_MAX_BYTES", "MUSICGEN_LIBRARY_MAX_AGE_DAYS"):
        monkeypatch.delenv(name, raising=False)


def save(lib: Library, owner: str, audio: bytes, prompt: str = "song"):
    return lib.save(
        owner,
        audio=audio,
        audio_format="mp3",
        kind="song",
        params={"prompt": prompt},
        metadata={},
        provider="demo",
    )


def disk_files(data_dir: Path) -> dict[str, bytes]:
    """Every audio and temp file with its content, to prove a failure changed nothing."""
    found = {}
    for sub in ("audio", "tmp"):
        for path in (data_dir / sub).rglob("*"):
            if path.is_file():
                found[path.relative_to(data_dir).as_posix()] = path.read_bytes()
    return found


def test_cap_refuses_before_writing_and_keeps_existing(tmp_path: Path) -> None:
    owner, other = new_owner_token(), new_owner_token()
    with Library(tmp_path, max_bytes_per_owner=3 * MB) as lib:
        first = save(lib, owner, b"a" * (2 * MB))
        before = disk_files(tmp_path)
        with pytest.raises(LibraryFullError) as err:
            save(lib, owner, b"b" * (2 * MB))
        message = str(err.value)
        assert "2.0 MB of its 3.0 MB cap" in message and "delete or export" in message
        assert (err.value.used_bytes, err.value.cap_bytes) == (2 * MB, 3 * MB)
        assert disk_files(tmp_path) == before
        assert [e.id for e in lib.list(owner)] == [first.id]
        # The cap is per visitor, and deleting makes room again.
        save(lib, other, b"c" * (2 * MB))
        lib.delete(owner, first.id)
        save(lib, owner, b"b" * (2 * MB))


def test_cap_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSICGEN_LIBRARY_MAX_BYTES", "1000")
    with Library(tmp_path) as lib:
        assert lib.max_bytes_per_owner == 1000
        with pytest.raises(LibraryFullError):
            save(lib, new_owner_token(), b"x" * 1001)
    monkeypatch.setenv("MUSICGEN_LIBRARY_MAX_BYTES", "lots")
    with pytest.raises(ValueError, match="MUSICGEN_LIBRARY_MAX_BYTES"):
        Library(tmp_path)


def test_full_disk_during_write_is_a_clear_error_and_harms_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:
        kept = save(lib, owner, b"k" * 5000, "kept")
        before = disk_files(tmp_path)
        real_write = os.write
        calls = []

        def write_then_fill_disk(fd: int, data: bytes) -> int:
            # The first chunk lands, then the disk runs out: a half-written temp file exists.
            calls.append(len(data))
            if len(calls) > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data[: len(data) // 2])

        monkeypatch.setattr(os, "write", write_then_fill_disk)
        with pytest.raises(LibraryFullError) as err:
            save(lib, owner, b"n" * 3 * MB, "new")
        monkeypatch.undo()
        assert len(calls) == 2
        assert isinstance(err.value, LibraryError)
        assert "disk is full" in str(err.value) and "download" in str(err.value)
        assert disk_files(tmp_path) == before  # no temp file, no half song, old song untouched
        assert [e.id for e in lib.list(owner)] == [kept.id]
        assert lib.read_audio(owner, kept.id) == b"k" * 5000
        # The library stays usable once space is back.
        assert save(lib, owner, b"n" * 100, "new").size == 100


def test_full_disk_when_writing_the_index_removes_the_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:
        kept = save(lib, owner, b"k" * 100)
        before = disk_files(tmp_path)

        def full(*args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(Index, "insert", full)
        with pytest.raises(LibraryFullError, match="disk is full"):
            save(lib, owner, b"n" * 100)
        monkeypatch.undo()
        assert disk_files(tmp_path) == before
        assert [e.id for e in lib.list(owner)] == [kept.id]


def test_other_write_errors_are_unavailable_not_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:

        def broken_fsync(fd: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "fsync", broken_fsync)
        with pytest.raises(LibraryUnavailableError, match="nothing was saved"):
            save(lib, owner, b"x" * 100)
        monkeypatch.undo()
        assert disk_files(tmp_path) == {}
        assert lib.list(owner) == []


def test_garbage_index_is_reported_and_left_in_place(tmp_path: Path) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:
        entry = save(lib, owner, b"precious" * 100)
    garbage = b"this is not a database " * 200
    (tmp_path / "index.db").write_bytes(garbage)
    audio_before = disk_files(tmp_path)

    with pytest.raises(LibraryUnavailableError) as err:
        Library(tmp_path)
    message = str(err.value)
    assert str(tmp_path / "index.db") in message and "damaged" in message and "move it aside" in message
    assert (tmp_path / "index.db").read_bytes() == garbage
    assert disk_files(tmp_path) == audio_before and entry.audio_path.exists()
    # The lock was released: after moving the index aside a new library opens and keeps the old audio.
    (tmp_path / "index.db").rename(tmp_path / "index.db.corrupt")
    with Library(tmp_path) as fresh:
        assert fresh.list(owner) == []
    assert entry.audio_path.read_bytes() == b"precious" * 100


def test_lost_index_never_sweeps_the_audio(tmp_path: Path) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:
        entry = save(lib, owner, b"keep me")
    (tmp_path / "index.db").unlink()
    Library(tmp_path).close()
    Library(tmp_path).close()
    assert entry.audio_path.read_bytes() == b"keep me"


def test_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(LibraryUnavailableError, match="cannot be used"):
        Library(blocker / "data")


def test_closed_library_raises_unavailable(tmp_path: Path) -> None:
    lib = Library(tmp_path)
    owner = new_owner_token()
    lib.close()
    lib.close()
    with pytest.raises(LibraryUnavailableError, match="closed"):
        lib.list(owner)
    with pytest.raises(LibraryUnavailableError):
        save(lib, owner, b"x")
    assert disk_files(tmp_path) == {}


def test_bad_inputs_are_value_errors(tmp_path: Path) -> None:
    owner = new_owner_token()
    with Library(tmp_path) as lib:
        with pytest.raises(ValueError):
            save(lib, owner, b"")
        for bad in ("", "../mp3", "m p3", "x" * 20):
            with pytest.raises(ValueError):
                lib.save(owner, audio=b"x", audio_format=bad, kind="song", params={}, metadata={}, provider="demo")
        with pytest.raises(ValueError):
            lib.save(owner, audio=b"x", audio_format="mp3", kind="", params={}, metadata={}, provider="demo")
        assert disk_files(tmp_path) == {}
