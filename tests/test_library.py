"""Song library: what a visitor relies on — saved songs come back, stay private, and export intact."""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from pathlib import Path

import pytest

from musicgen.library import EntryNotFound, Library, LibraryFullError, new_owner_token, resolve_data_dir
from musicgen.library import settings as library_settings

SECRET = "sk-live-DO-NOT-STORE-0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_library_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MUSICGEN_DATA_DIR", "MUSICGEN_LIBRARY_MAX_BYTES", "MUSICGEN_LIBRARY_MAX_AGE_DAYS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def lib(data_dir: Path):
    library = Library(data_dir)
    yield library
    library.close()


@pytest.fixture
def alice() -> str:
    return new_owner_token()


@pytest.fixture
def bob() -> str:
    return new_owner_token()


def save(lib: Library, owner: str, prompt: str = "warm lo-fi piano", lyrics: str = "[Verse]\nla la", **kw):
    kw.setdefault("audio", b"ID3" + prompt.encode() + bytes(range(256)) * 8)
    kw.setdefault("audio_format", "mp3")
    kw.setdefault("kind", "song")
    kw.setdefault("metadata", {"duration_s": 31.5, "sample_rate": 44100, "channels": 2, "model": "music-2.0"})
    kw.setdefault("provider", "minimax")
    params = {"model": "music-2.0", "prompt": prompt, "lyrics": lyrics, **kw.pop("params", {})}
    return lib.save(owner, params=params, **kw)


def test_round_trip_keeps_audio_params_and_facts(lib: Library, alice: str) -> None:
    audio = b"\xff\xfb" + bytes(range(256)) * 100
    params = {"model": "music-2.0", "prompt": "Dreamy synthpop", "lyrics": "[Chorus]\nneon", "stream": True}
    saved = lib.save(
        alice,
        audio=audio,
        audio_format="MP3",
        kind="song",
        params=params,
        metadata={"duration_s": 42.0, "sample_rate": 44100, "bitrate": 256000, "model": "music-2.0"},
        provider="minimax",
        trace_id="trace-123",
        title="Neon nights",
    )
    got = lib.get(alice, saved.id)
    assert got == saved
    assert got.audio_path.read_bytes() == audio
    assert lib.read_audio(alice, saved.id) == audio
    assert (got.size, got.sha256) == (len(audio), hashlib.sha256(audio).hexdigest())
    assert (got.kind, got.title, got.provider, got.model, got.audio_format) == (
        "song",
        "Neon nights",
        "minimax",
        "music-2.0",
        "mp3",
    )
    assert (got.prompt, got.lyrics, got.trace_id, got.duration_s, got.partial) == (
        "Dreamy synthpop",
        "[Chorus]\nneon",
        "trace-123",
        42.0,
        False,
    )
    # "Use these settings again": the stored request refills the tab it came from.
    assert got.params == params
    assert got.metadata["sample_rate"] == 44100
    assert [e.id for e in lib.list(alice)] == [saved.id]


def test_partial_stream_is_kept_and_marked(lib: Library, alice: str) -> None:
    entry = save(lib, alice, audio=b"half a song", audio_format="pcm", partial=True)
    assert lib.get(alice, entry.id).partial is True
    assert lib.get(alice, entry.id).audio_path.read_bytes() == b"half a song"


def test_title_defaults_to_prompt_or_first_sung_line(lib: Library, alice: str) -> None:
    assert save(lib, alice, prompt="Sunny reggae", title="").title == "Sunny reggae"
    assert save(lib, alice, prompt="", lyrics="[Intro]\n\nHello moon\nbye").title == "Hello moon"
    assert save(lib, alice, prompt="", lyrics="", kind="instrumental").title == "Untitled instrumental"


def test_list_is_newest_first_even_within_one_clock_tick(lib: Library, alice: str) -> None:
    lib._clock = lambda: 1_700_000_000.0
    first, second = save(lib, alice, "one"), save(lib, alice, "two")
    lib._clock = lambda: 1_700_000_100.0
    third = save(lib, alice, "three")
    assert [e.id for e in lib.list(alice)] == [third.id, second.id, first.id]
    assert [e.id for e in lib.list(alice, limit=2)] == [third.id, second.id]


def test_search_over_prompt_lyrics_and_title(lib: Library, alice: str) -> None:
    jazz = save(lib, alice, prompt="Smoky JAZZ club", lyrics="[Verse]\nMidnight in Paris")
    rock = save(lib, alice, prompt="Stadium rock", lyrics="We will shout", title="Anthem")
    cafe = save(lib, alice, prompt="Bossa nova", lyrics="Un café à Montréal, 100% _pure_")

    def ids(query: str) -> set[str]:
        return {e.id for e in lib.list(alice, query)}

    assert ids("jazz") == {jazz.id}
    assert ids("midnight") == {jazz.id}
    assert ids("anthem") == {rock.id}
    assert ids("CAFÉ") == {cafe.id}  # Unicode-aware case folding
    assert ids("paris smoky") == {jazz.id}  # every word must match somewhere
    assert ids("100%") == {cafe.id} and ids("%") == {cafe.id} and ids("_pure_") == {cafe.id}
    assert ids("r_ck") == set()  # LIKE wildcards are literal characters
    assert ids("") == {jazz.id, rock.id, cafe.id}
    assert ids("polka") == set()


def test_params_and_metadata_never_hold_a_credential(lib: Library, alice: str, data_dir: Path) -> None:
    entry = save(
        lib,
        alice,
        params={
            "api_key": SECRET,
            "apiKey": SECRET,
            "key": SECRET,
            "token": SECRET,
            "Authorization": f"Bearer {SECRET}",
            "headers": {"X-Api-Key": SECRET, "authorization": SECRET, "accept": "audio/mpeg"},
            "hf_token": SECRET,
            "retries": [{"access_token": SECRET, "n": 1}],
            "audio_setting": {"format": "mp3", "sample_rate": 44100},
            "reference": b"raw bytes",
            "maybe_header": f"Bearer {SECRET}",
            "style": "Basic rock beat, bearer of bad news",
        },
        metadata={"duration_s": 1.0, "api_key": SECRET},
    )
    for got in (entry, lib.get(alice, entry.id), lib.list(alice)[0]):
        dumped = json.dumps([got.params, got.metadata])
        assert SECRET not in dumped
        assert got.params["headers"] == {"accept": "audio/mpeg"}
        assert got.params["audio_setting"] == {"format": "mp3", "sample_rate": 44100}
        assert got.params["retries"] == [{"n": 1}]
        assert got.params["reference"] == "<9 bytes>"
        assert got.params["maybe_header"] == "<redacted>"
        assert got.params["style"] == "Basic rock beat, bearer of bad news"
    lib.close()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_other_owner_sees_nothing_and_cannot_touch(lib: Library, alice: str, bob: str) -> None:
    mine = save(lib, alice, "alice's secret song")
    assert lib.list(bob) == [] and lib.list(bob, "secret") == []
    assert lib.usage_bytes(bob) == 0

    with pytest.raises(EntryNotFound) as not_yours:
        lib.get(bob, mine.id)
    with pytest.raises(EntryNotFound) as nonexistent:
        lib.get(bob, "0" * 32)
    # Someone else's id and a made-up id are indistinguishable.
    assert str(not_yours.value) == str(nonexistent.value)

    for attempt in (
        lambda: lib.delete(bob, mine.id),
        lambda: lib.undo_delete(bob, mine.id),
        lambda: lib.export_zip(bob, [mine.id]),
        lambda: lib.read_audio(bob, mine.id),
        lambda: lib.copy_audio(bob, mine.id, lib.data_dir / "served"),
        lambda: lib.get(bob, "../../index.db"),
        lambda: lib.get(bob, mine.id.upper()),
    ):
        with pytest.raises(EntryNotFound) as err:
            attempt()
        assert str(err.value) == str(nonexistent.value)
    # Alice's song survived Bob's attempts.
    assert [e.id for e in lib.list(alice)] == [mine.id]


def test_ids_are_random_and_do_not_reveal_paths(lib: Library, alice: str) -> None:
    entries = [save(lib, alice, f"song {i}") for i in range(5)]
    ids = [e.id for e in entries]
    assert len(set(ids)) == 5
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert all(e.id not in str(e.audio_path) for e in entries)


def test_missing_or_short_token_is_rejected(lib: Library, alice: str) -> None:
    entry = save(lib, alice)
    for bad in ("", "short", "x" * 31, None, 12345):
        with pytest.raises(ValueError):
            lib.list(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            lib.get(bad, entry.id)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            save(lib, bad)  # type: ignore[arg-type]
    assert len(new_owner_token()) >= 43 and new_owner_token() != new_owner_token()


def test_share_all_shows_every_owner(data_dir: Path, alice: str, bob: str) -> None:
    with Library(data_dir) as private:
        a, b = save(private, alice, "from alice"), save(private, bob, "from bob")
    with Library(data_dir, share_all=True) as shared:
        assert {e.id for e in shared.list(alice)} == {a.id, b.id}
        assert shared.get(alice, b.id).prompt == "from bob"


def test_database_holds_no_raw_token(lib: Library, alice: str, data_dir: Path) -> None:
    save(lib, alice)
    lib.list(alice)
    needles = (alice.encode(), alice.encode("utf-16-le"), hashlib.sha256(alice.encode()).hexdigest().encode())
    # Look while the WAL is live and again after the final checkpoint.
    for _ in range(2):
        files = [p for p in data_dir.rglob("*") if p.is_file()]
        assert any(p.name == "index.db" for p in files)
        for path in files:
            blob = path.read_bytes()
            assert not any(n in blob for n in needles), path
        lib.close()


def test_entries_survive_a_restart(data_dir: Path, alice: str) -> None:
    with Library(data_dir) as first:
        saved = [save(first, alice, f"take {i}") for i in range(3)]
    with Library(data_dir) as second:
        assert [e.id for e in second.list(alice)] == [e.id for e in reversed(saved)]
        assert second.get(alice, saved[0].id) == saved[0]
        assert second.read_audio(alice, saved[1].id) == saved[1].audio_path.read_bytes()


def test_delete_then_undo(lib: Library, alice: str) -> None:
    keep, gone = save(lib, alice, "keep"), save(lib, alice, "oops")
    removed = lib.delete(alice, gone.id)
    assert removed.id == gone.id and removed.prompt == "oops"
    assert [e.id for e in lib.list(alice)] == [keep.id]
    with pytest.raises(EntryNotFound):
        lib.get(alice, gone.id)
    with pytest.raises(EntryNotFound):
        lib.delete(alice, gone.id)
    assert lib.usage_bytes(alice) == keep.size
    assert lib.undo_delete(alice, gone.id) == gone
    assert {e.id for e in lib.list(alice)} == {keep.id, gone.id}
    assert lib.get(alice, gone.id).audio_path.read_bytes() == gone.audio_path.read_bytes()


def test_deleted_entries_are_purged_after_the_grace_period(data_dir: Path, alice: str) -> None:
    now = [1_800_000_000.0]
    with Library(data_dir, undo_grace_s=3600) as lib:
        lib._clock = lambda: now[0]
        entry = save(lib, alice)
        lib.delete(alice, entry.id)
        now[0] += 3599
        assert lib.cleanup() == 0
        assert entry.audio_path.exists()
        now[0] += 2
        assert lib.cleanup() == 1
        assert not entry.audio_path.exists()
        with pytest.raises(EntryNotFound):
            lib.undo_delete(alice, entry.id)


def test_age_cleanup_removes_only_old_entries(data_dir: Path, alice: str) -> None:
    day = 86400.0
    now = [1_800_000_000.0]
    with Library(data_dir, max_age_days=30) as lib:
        lib._clock = lambda: now[0] - 31 * day
        old = save(lib, alice, "old")
        lib._clock = lambda: now[0] - 29 * day
        recent = save(lib, alice, "recent")
        lib._clock = lambda: now[0]
        assert lib.cleanup() == 1
        assert [e.id for e in lib.list(alice)] == [recent.id]
        assert not old.audio_path.exists()
    # Off by default: nothing expires.
    with Library(data_dir) as lib:
        assert lib.max_age_days == 0
        lib._clock = lambda: now[0] + 10_000 * day
        assert lib.cleanup() == 0


def test_export_one_entry(lib: Library, alice: str) -> None:
    entry = save(lib, alice, "Lo-fi beat", "[Verse]\nrain on the window", title="Rain/Window: take 1")
    path = lib.export_zip(alice, [entry.id])
    assert path.parent == lib.data_dir / "exports" and path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        assert names == ["Rain_Window_ take 1.mp3", "lyrics.txt", "metadata.json", "recipe.json"]
        assert archive.read("Rain_Window_ take 1.mp3") == entry.audio_path.read_bytes()
        assert archive.read("lyrics.txt").decode() == "[Verse]\nrain on the window"
        meta = json.loads(archive.read("metadata.json"))
        recipe = json.loads(archive.read("recipe.json"))
    assert meta["request"] == entry.params and meta["request"]["prompt"] == "Lo-fi beat"
    assert recipe == meta["recipe"] and (recipe["version"], recipe["prompt"]) == (1, "Lo-fi beat")
    assert (meta["provider"], meta["trace_id"], meta["partial"]) == ("minimax", None, False)
    assert meta["created_at"] == entry.created_at and meta["sha256"] == entry.sha256
    assert "owner" not in meta and str(lib.data_dir) not in json.dumps(meta)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".part-")]


def test_export_selection_one_folder_per_entry(lib: Library, alice: str, tmp_path: Path) -> None:
    a = save(lib, alice, "Same name", "first", params={"api_key": SECRET}, title="Same name")
    b = save(lib, alice, "Same name", "second", title="Same name", audio=b"RIFF....WAVE", audio_format="wav")
    path = lib.export_zip(alice, [a.id, b.id, a.id], dest_dir=tmp_path / "out")
    assert path.parent == tmp_path / "out"
    with zipfile.ZipFile(path) as archive:
        folders = {name.split("/")[0] for name in archive.namelist()}
        assert len(folders) == 2 and len(archive.namelist()) == 8  # audio, lyrics, metadata, recipe each
        for entry, audio_name in ((a, "Same name.mp3"), (b, "Same name.wav")):
            (folder,) = [f for f in folders if entry.id[:8] in f]
            assert archive.read(f"{folder}/{audio_name}") == entry.audio_path.read_bytes()
            assert archive.read(f"{folder}/lyrics.txt").decode() == entry.lyrics
            meta = json.loads(archive.read(f"{folder}/metadata.json"))
            assert meta["request"] == entry.params and meta["id"] == entry.id
        assert SECRET not in "".join(archive.read(n).decode("latin-1") for n in archive.namelist())
    with pytest.raises(ValueError):
        lib.export_zip(alice, [])


def test_copy_audio_for_serving(lib: Library, alice: str, tmp_path: Path) -> None:
    entry = save(lib, alice, title="My song")
    copy = lib.copy_audio(alice, entry.id, tmp_path / "serve")
    assert copy.name == "My song.mp3" and copy.read_bytes() == entry.audio_path.read_bytes()
    assert copy.parent.parent == tmp_path / "serve"


def test_concurrent_saves_from_many_threads(data_dir: Path) -> None:
    size = 10_000
    owners = [new_owner_token() for _ in range(4)]
    errors: list[BaseException] = []
    full: list[int] = []
    with Library(data_dir, max_bytes_per_owner=size * 12) as lib:

        def work(n: int) -> None:
            owner = owners[n % len(owners)]
            try:
                for i in range(8):
                    try:
                        save(lib, owner, f"t{n}-{i}", audio=bytes([n]) * size)
                    except LibraryFullError:
                        full.append(n)
                    lib.list(owner, "t")
            except BaseException as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        # 16 attempts per owner against a cap of 12: exactly 12 fit, never more.
        assert len(full) == 4 * 4
        for owner in owners:
            entries = lib.list(owner)
            assert len(entries) == 12 and lib.usage_bytes(owner) == 12 * size
            assert all(e.audio_path.stat().st_size == size for e in entries)


def test_resolve_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MUSICGEN_DATA_DIR", str(tmp_path / "explicit"))
    assert resolve_data_dir() == tmp_path / "explicit"
    monkeypatch.delenv("MUSICGEN_DATA_DIR")
    space = tmp_path / "space-data"
    space.mkdir()
    monkeypatch.setattr(library_settings, "SPACE_DATA_ROOT", space)
    assert resolve_data_dir() == space / "musicgen"
    monkeypatch.setattr(library_settings, "SPACE_DATA_ROOT", tmp_path / "no-such-dir")
    monkeypatch.setattr(library_settings.sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir() == tmp_path / "xdg" / "musicgen"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir() == tmp_path / "home" / ".local" / "share" / "musicgen"


def test_library_files_are_readable_by_their_user_only(data_dir: Path, alice: str) -> None:
    # On a shared machine the index (prompts, lyrics) is as private as the audio; an older 0644 index is tightened.
    data_dir.mkdir(mode=0o755)
    (data_dir / "index.db").touch(mode=0o644)
    (data_dir / "index.db").chmod(0o644)
    with Library(data_dir) as lib:
        save(lib, alice)
        files = [p for p in data_dir.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"index.db", "index.db-wal"}
        for path in [data_dir, *files]:
            assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode & 0o777)}"
