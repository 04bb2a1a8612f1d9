"""Keep ★: a visitor marks songs to keep, lists only those, and a library from before ★ opens with every song."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from musicgen.library import EntryNotFound, Library, LibraryError, LibraryUnavailableError, new_owner_token
from musicgen.library.db import SCHEMA_VERSION
from musicgen.library.owners import new_salt, owner_hash
from musicgen.ui.library_service import LibraryService
from musicgen.ui.session import Session

# The index as version 1 of the app wrote it (musicgen/library/db.py before ★), kept here verbatim.
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    prompt TEXT NOT NULL, lyrics TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    audio_format TEXT NOT NULL, audio_rel TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
    sha256 TEXT NOT NULL, duration_s REAL, trace_id TEXT, created_at REAL NOT NULL,
    partial INTEGER NOT NULL, params_json TEXT NOT NULL, metadata_json TEXT NOT NULL, deleted_at REAL, state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_owner_created ON entries (owner, created_at);
CREATE INDEX IF NOT EXISTS entries_deleted ON entries (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_unfinished ON entries (state) WHERE state != 'ready';
"""


@pytest.fixture(autouse=True)
def _no_library_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MUSICGEN_DATA_DIR", "MUSICGEN_LIBRARY_MAX_BYTES", "MUSICGEN_LIBRARY_MAX_AGE_DAYS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def lib(tmp_path: Path):
    library = Library(tmp_path / "data")
    yield library
    library.close()


def save(lib: Library, owner: str, prompt: str, **kw):
    params = {"model": "music-2.6", "prompt": prompt, "lyrics": "[Verse]\nla la"}
    audio = b"ID3" + prompt.encode() + bytes(range(256)) * 4
    return lib.save(owner, audio=audio, audio_format="mp3", kind="song", params=params, metadata={}, provider="minimax")


def test_star_unstar_and_list_starred_only(lib: Library) -> None:
    alice = new_owner_token()
    rain, sun, moon = (save(lib, alice, p) for p in ("rainy piano", "sunny ukulele", "moonlit piano"))
    assert not rain.starred and not lib.get(alice, rain.id).starred  # a new song is not kept until asked

    kept = lib.set_starred(alice, rain.id, True)
    assert kept.starred and kept.id == rain.id and kept.title == rain.title
    lib.set_starred(alice, moon.id, True)
    assert lib.get(alice, rain.id).starred and not lib.get(alice, sun.id).starred
    assert [e.id for e in lib.list(alice, starred_only=True)] == [moon.id, rain.id]  # newest first, as the list
    assert [e.id for e in lib.list(alice, "piano", starred_only=True)] == [moon.id, rain.id]
    assert [e.id for e in lib.list(alice, "rainy", starred_only=True)] == [rain.id]  # combines with the search
    assert lib.list(alice, "ukulele", starred_only=True) == []
    assert len(lib.list(alice)) == 3  # the filter hides, it never removes

    assert lib.set_starred(alice, rain.id, True).starred  # starring twice is still starred
    assert not lib.set_starred(alice, rain.id, False).starred
    assert [e.id for e in lib.list(alice, starred_only=True)] == [moon.id]
    with pytest.raises(ValueError, match="starred"):
        lib.set_starred(alice, rain.id, "yes")  # type: ignore[arg-type]


def test_star_survives_a_restart_and_travels_in_the_export(tmp_path: Path) -> None:
    alice = new_owner_token()
    with Library(tmp_path / "data") as lib:
        song = save(lib, alice, "keeper")
        lib.set_starred(alice, song.id, True)
    with Library(tmp_path / "data") as lib:
        assert lib.get(alice, song.id).starred
        with zipfile.ZipFile(lib.export_zip(alice, [song.id])) as archive:
            assert json.loads(archive.read("metadata.json"))["starred"] is True


def test_only_the_owner_stars_and_never_a_deleted_song(lib: Library) -> None:
    alice, bob = new_owner_token(), new_owner_token()
    mine = save(lib, alice, "alice's song")
    for bad in (mine.id, "0" * 32, "../../index.db", None):
        with pytest.raises(EntryNotFound, match="not in your library"):
            lib.set_starred(bob, bad, True)  # type: ignore[arg-type]
    assert not lib.get(alice, mine.id).starred  # Bob's attempts changed nothing
    lib.delete(alice, mine.id)
    with pytest.raises(EntryNotFound, match="not in your library"):
        lib.set_starred(alice, mine.id, True)
    assert not lib.undo_delete(alice, mine.id).starred  # the refused star did not land while it was deleted


def test_service_set_starred_acts_for_the_sessions_owner_only(tmp_path: Path) -> None:
    service = LibraryService(Library(tmp_path / "data"))
    try:
        alice, bob = Session(), Session()
        entry = save(service.need(), _owner(alice), "alice's keeper")
        assert service.set_starred(alice, entry.id, True).starred
        assert [e.id for e in service.entries(alice, starred_only=True)] == [entry.id]
        assert service.entries(bob, starred_only=True) == []
        with pytest.raises(LibraryError, match="not in your library"):
            service.set_starred(bob, entry.id, False)
        assert service.need().get(alice.owner_token, entry.id).starred  # still kept
        service.need().delete(alice.owner_token, entry.id)
        with pytest.raises(LibraryError, match="not in your library"):
            service.set_starred(alice, entry.id, False)
    finally:
        service.close()
    with pytest.raises(LibraryError, match="not available"):
        LibraryService(None).set_starred(Session(), entry.id, True)


def _owner(session: Session) -> str:
    from musicgen.ui.library_service import owner_of

    return owner_of(session)


def _v1_library(data_dir: Path, owner: str, titles: list[str]) -> list[str]:
    """An index and audio files exactly as version 1 wrote them; returns the entry ids."""
    (data_dir / "audio" / "ab").mkdir(parents=True)
    conn = sqlite3.connect(data_dir / "index.db")
    conn.executescript(V1_SCHEMA)
    salt = new_salt()
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("salt", salt), ("schema_version", "1")])
    ids = []
    for n, title in enumerate(titles):
        entry_id, rel = f"{n:032x}", f"audio/ab/{n:030x}ab.mp3"
        audio = b"ID3" + title.encode() * 50
        (data_dir / rel).write_bytes(audio)
        conn.execute(
            "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (entry_id, owner_hash(owner, salt), "song", title, title, "", "minimax", "music-2.6", "mp3", rel,
             len(audio), "0" * 64, 30.0, "trace", 1_700_000_000.0 + n, 0, "{}", "{}", None, "ready"),
        )  # fmt: skip
        ids.append(entry_id)
    conn.commit()
    conn.close()
    return ids


def test_a_version_1_library_opens_with_every_song_and_can_star(tmp_path: Path) -> None:
    data_dir, alice = tmp_path / "data", new_owner_token()
    old, older = reversed(_v1_library(data_dir, alice, ["first song", "second song"]))
    with Library(data_dir) as lib:
        songs = lib.list(alice)
        assert [e.id for e in songs] == [old, older] and [e.title for e in songs] == ["second song", "first song"]
        assert not any(e.starred for e in songs) and lib.read_audio(alice, older) == b"ID3" + b"first song" * 50
        lib.set_starred(alice, older, True)
        assert [e.id for e in lib.list(alice, starred_only=True)] == [older]
    conn = sqlite3.connect(data_dir / "index.db")
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()
    with Library(data_dir) as lib:  # opened again (now at the new version): the same songs, the star kept
        assert [(e.id, e.starred) for e in lib.list(alice)] == [(old, False), (older, True)]


def test_a_library_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    data_dir, alice = tmp_path / "data", new_owner_token()
    _v1_library(data_dir, alice, ["future song"])
    conn = sqlite3.connect(data_dir / "index.db")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(LibraryUnavailableError, match="newer version"):
        Library(data_dir)
    conn = sqlite3.connect(data_dir / "index.db")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(entries)")]
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    rows = conn.execute("SELECT title FROM entries").fetchall()
    conn.close()
    assert "starred" not in columns and version == str(SCHEMA_VERSION + 1) and rows == [("future song",)]
