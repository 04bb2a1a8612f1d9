"""The launched studio's library from the outside: what scripts and raw HTTP callers can and cannot reach.

A browser calls the Library tab's (private) events through Gradio's queue with its session hash; `call` below
does exactly that, so these tests act as a second visitor, or an attacker, would.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx
import pytest
import soundfile as sf
from gradio_client import Client
from ui_fixtures import LYRICS, StandInFactory, launched

from musicgen.library import Library, new_owner_token
from musicgen.standin import StandIn
from musicgen.ui import build_app

SECRET = "sk-api-server-secret-0123456789"


@pytest.fixture(scope="module")
def standin():
    server = StandIn(latency_s=0.0).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("library"))
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def app(standin, library):
    demo = build_app(StandInFactory(standin), concurrency=4, library=library)
    with launched(demo) as url:
        yield demo, url


def fn_index(demo, name: str) -> int:
    return next(i for i, f in demo.fns.items() if getattr(f.fn, "__name__", "") == name)  # (the same fn, any trigger)


def call(app, session_hash: str, name: str, data: list[Any], event_data: Any = None) -> tuple[bool, list[Any]]:
    """Run one event the way the page does (queue/join, then the session's event stream); (success, outputs)."""
    demo, url = app
    body = {"data": data, "fn_index": fn_index(demo, name), "session_hash": session_hash, "event_data": event_data}
    event_id = httpx.post(url + "gradio_api/queue/join", json=body, timeout=10).json()["event_id"]
    with httpx.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session_hash}, timeout=30) as r:
        for line in r.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                return bool(msg.get("success")), (msg.get("output") or {}).get("data") or []
    raise AssertionError("the event never completed")


def open_page(app, token: str | None) -> tuple[str, str]:
    """A browser's page load: its stored token (None = first visit) becomes the session's owner."""
    session_hash = new_owner_token()[:11]
    ok, (owner, _) = call(app, session_hash, "ensure_owner", [token, None])
    assert ok and len(owner) >= 32
    return session_hash, owner


def listed(app, session_hash: str, query: str = "") -> list[list[str]]:
    ok, (table, *_rest) = call(app, session_hash, "do_refresh", [None, query, False])
    assert ok
    value = table.get("value") or {}
    return value.get("data") or [] if table.get("visible") else []


def client(app, tmp_path, session_hash: str | None = None) -> Client:
    c = Client(app[1], verbose=False, download_files=str(tmp_path), analytics_enabled=False)
    if session_hash:
        c.session_hash = session_hash  # the same visitor: a script sharing the page's session
    return c


def song(c: Client, prompt: str) -> dict:
    *_, meta, _ = c.predict(prompt=prompt, lyrics=LYRICS, stream=False, api_name="/song")
    return meta


def test_library_has_no_api_endpoints(app, tmp_path):
    demo, _ = app
    ours = [f for f in demo.fns.values() if getattr(f.fn, "__module__", "").endswith(("library_events", "library_tab"))]
    assert len(ours) > 10 and {f.api_visibility for f in ours} == {"private"}
    info = client(app, tmp_path).view_api(print_info=False, return_format="dict")
    names = set(info["named_endpoints"]) | set(info["unnamed_endpoints"])
    assert {"/song", "/instrumental", "/cover"} <= names
    assert not names & {f"/{f.api_name}" for f in ours} and not any("librar" in n for n in names)
    for name in ("/do_refresh", "/do_star"):
        with pytest.raises(ValueError):
            client(app, tmp_path).predict(api_name=name)


def test_a_scripts_song_is_saved_under_its_own_session(app, tmp_path, library):
    meta = song(client(app, tmp_path), "Script-made bossa nova")
    everyone = Library(library.data_dir, share_all=True)
    try:
        entry = everyone.get(new_owner_token(), meta["library_id"])
    finally:
        everyone.close()
    assert entry.prompt == "Script-made bossa nova" and entry.params["lyrics"] == LYRICS
    # Nobody else lists it: not a fresh page, not another script.
    assert all("bossa" not in r[0] for r in listed(app, open_page(app, None)[0]))


def test_another_visitor_reaches_nothing_of_alices(app, tmp_path, library):
    alice_hash, alice = open_page(app, None)
    meta = song(client(app, tmp_path, alice_hash), "Alice's secret lullaby")
    mine = meta["library_id"]
    assert [r[0] for r in listed(app, alice_hash)][0] == "Alice's secret lullaby"
    entry = library.get(alice, mine)

    bob_hash, _ = open_page(app, None)
    assert listed(app, bob_hash) == [] and listed(app, bob_hash, "lullaby") == []
    # A row click sends a row number: Bob's list is empty, so row 0 is nothing.
    ok, out = call(app, bob_hash, "do_select", [None, None], {"index": [0, 0], "value": "x"})
    assert ok and out[1] is None and "Select a song" in out[6]  # (state outputs never reach the page)
    # Guessed ids: the state inputs are the server's, whatever the caller sends ...
    for name in ("do_delete", "export_selected", "do_reuse", "do_star"):
        ok, out = call(app, bob_hash, name, [mine, None])
        assert not any(mine in json.dumps(o) or "lullaby" in json.dumps(o) for o in out), name
    # ... and the one id list a page sends (the export checkboxes) is checked against the owner.
    ok, out = call(app, bob_hash, "export_ticked", [[mine], None])
    assert not (ok and out and isinstance(out[0], dict) and out[0].get("path"))
    # Files: the library's own files are not served, whatever the path.
    for path in (entry.audio_path, library.data_dir / "index.db"):
        assert httpx.get(f"{app[1]}gradio_api/file={path}", timeout=10).status_code == 403, path
    # Alice still has everything (not starred by Bob's attempt); the same browser (same token) after a reload sees it.
    assert library.get(alice, mine).size == entry.size and not library.get(alice, mine).starred
    reload_hash, again = open_page(app, alice)
    assert again == alice and "Alice's secret lullaby" in [r[0] for r in listed(app, reload_hash)]


def test_owner_plays_downloads_and_exports_a_zip(app, tmp_path):
    alice_hash, _ = open_page(app, None)
    c = client(app, tmp_path, alice_hash)
    first = song(c, "Warm lo-fi piano")
    *_, second, _ = c.predict(prompt="Rainy night synths", format="wav", stream=False, api_name="/instrumental")
    rows = listed(app, alice_hash)
    assert [r[0] for r in rows] == ["Rainy night synths", "Warm lo-fi piano"]  # newest first
    ok, out = call(app, alice_hash, "do_select", [None, None], {"index": [1, 0], "value": rows[1][0]})
    player, download, detail = out[1], out[2], out[6]
    assert ok and "Warm lo-fi piano" in detail and first["trace_id"] in detail
    audio = httpx.get(player["url"], timeout=10)
    assert audio.status_code == 200 and sf.info(io.BytesIO(audio.content)).duration > 1
    assert download["value"]["path"] == player["path"]
    ok, (star,) = call(app, alice_hash, "do_star", [None, None])  # Keep ★ on the selected song (the server's state)
    assert ok and star["value"] == "Remove ★" and [r[0] for r in listed(app, alice_hash)][1] == "★ Warm lo-fi piano"
    ok, (shown,) = call(app, alice_hash, "export_shown", [None, None])  # "Export all shown"
    zipped = shown["value"]
    assert ok and shown["visible"] and zipped["path"].endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(httpx.get(zipped["url"], timeout=10).content)) as z:
        names = z.namelist()
        metas = {json.loads(z.read(n))["id"]: json.loads(z.read(n)) for n in names if n.endswith("metadata.json")}
        assert set(metas) == {first["library_id"], second["library_id"]}
        assert metas[first["library_id"]]["request"]["lyrics"] == LYRICS
        assert metas[first["library_id"]]["starred"] is True and metas[second["library_id"]]["starred"] is False
        assert SECRET not in json.dumps(metas) and "api_key" not in json.dumps(metas)
        wav = next(n for n in names if n.endswith(".wav"))
        data, rate = sf.read(io.BytesIO(z.read(wav)))
        assert rate == 44100 and len(data) / rate == pytest.approx(second["duration_s"], abs=0.1)
        assert sum(n.endswith("lyrics.txt") for n in names) == 2


def test_songs_survive_a_restart(standin, tmp_path):
    token = new_owner_token()
    data_dir = tmp_path / "data"
    for round_ in (1, 2):
        library = Library(data_dir)
        demo = build_app(StandInFactory(standin), concurrency=4, library=library)
        try:
            with launched(demo) as url:
                app = (demo, url)
                page, _ = open_page(app, token)
                if round_ == 1:
                    song(client(app, tmp_path, page), "Before the restart")
                else:
                    assert [r[0] for r in listed(app, page)] == ["Before the restart"]
                    assert listed(app, open_page(app, None)[0]) == []  # a new browser still sees nothing
        finally:
            library.close()


def test_finished_copies_are_made_only_of_ones_own_songs(app, tmp_path, library):
    """Finishing reads a song: through the page's own queue calls, Bob can neither finish Alice's result (by its
    server path) nor her Library song (by its id), while Alice can."""
    alice_hash, alice = open_page(app, None)
    ok, out = call(app, alice_hash, "song", ["Alice's finished lullaby", LYRICS, False, "music-2.6", "wav", 44100,
                                             256000, False, "", 180, 1, None])  # fmt: skip
    assert ok
    download, meta = out[2], out[3]
    theirs = {"path": download["path"], "meta": {"_type": "gradio.FileData"}}
    settings = ["streaming", True, 0, 0]

    bob_hash, _ = open_page(app, None)
    ok, out = call(app, bob_hash, "finish_panel", [theirs, *settings, None])
    assert not ok and not any("lullaby" in json.dumps(o) or "finished" in json.dumps(o) for o in out)
    ok, out = call(app, bob_hash, "do_finish", [meta["library_id"], *settings, None])  # the id is the server's state
    assert not ok and not any("finished" in json.dumps(o) for o in out)
    for path in (library.get(alice, meta["library_id"]).audio_path, library.data_dir / "index.db", "/etc/passwd"):
        ok, _ = call(app, bob_hash, "finish_panel", [{"path": str(path), "meta": {"_type": "gradio.FileData"}},
                                                      *settings, None])  # fmt: skip
        assert not ok, path

    ok, (finished, summary) = call(app, alice_hash, "finish_panel", [theirs, *settings, None])
    assert ok and finished["path"].endswith("-finished-14LUFS.wav") and "−14" in summary
    data = httpx.get(f"{app[1]}gradio_api/file={finished['path']}", timeout=10).content
    assert sf.info(io.BytesIO(data)).format == "WAV"


def test_keep_star_on_a_take_acts_only_on_ones_own_takes(app, library):
    """The board's Keep ★ sends only a take's letter; the song it marks is the one the sender's own session made."""
    alice_hash, alice = open_page(app, None)
    ok, out = call(app, alice_hash, "song", ["Alice's two takes", LYRICS, False, "music-2.6", "mp3", 44100, 256000,
                                             False, "", 180, 2, None])  # fmt: skip
    assert ok
    ids = [t["library_id"] for t in out[3]["takes"]]
    bob_hash, _ = open_page(app, None)
    for letter in ("A", "B", ids[0]):  # Bob's session made no takes: no letter (or id) reaches Alice's songs
        assert call(app, bob_hash, "keep", [None], {"take": letter})[0]
    assert not any(e.starred for e in library.list(alice))
    ok, out = call(app, alice_hash, "keep", [None], {"take": "B"})
    assert ok and "★ Kept" in out[0]
    assert {e.id for e in library.list(alice) if e.starred} == {ids[1]}
