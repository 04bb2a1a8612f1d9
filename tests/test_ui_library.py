"""The studio's library hook and Library tab actions as plain functions, against the stand-in.

What a visitor relies on: a song is in the library before it is shown, a cut-off stream is kept marked partial,
a broken library costs the library copy but never the song, and nobody reaches anyone else's songs.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import gradio as gr
import pytest
import soundfile as sf
from ui_fixtures import LYRICS, StandInFactory, reset_standin, standin_fixture

from musicgen.library import Library, new_owner_token
from musicgen.standin import Fault
from musicgen.ui import library_events as le
from musicgen.ui import library_view as lv
from musicgen.ui.handlers import Handlers
from musicgen.ui.library_service import LibraryService, check_not_served, max_bytes_from_env, share_all_from_env
from musicgen.ui.session import Session

SONG = dict(lyrics_optimizer=False, model="music-2.6", format="mp3", sample_rate=44100, bitrate=256000)
SECRET = "sk-visitor-secret-key-0123456789"


standin = standin_fixture()


@pytest.fixture
def stand(standin):
    return reset_standin(standin)


@pytest.fixture
def service(tmp_path):
    svc = LibraryService(Library(tmp_path / "data"))
    yield svc
    svc.close()


@pytest.fixture
def h(stand, service):
    handlers = Handlers(StandInFactory(stand), tick_s=0.05)
    handlers.library = service
    return handlers


def visitor(**kw) -> Session:
    session = Session(**kw)
    le.ensure_owner(None, session)  # what the page load does for a browser with no token yet
    return session


def test_a_song_is_in_the_library_before_it_is_shown(h, service):
    session = visitor(api_key=SECRET)
    session.song_title = "Streetlights"
    shown = None
    for out in h.song("Indie folk, melancholic", LYRICS, stream=False, session=session, **SONG):
        if isinstance(out[2], str):
            shown = out
            # The page has not got the song yet: the library must already hold it.
            listed = service.library.list(session.owner_token)
            assert [e.id for e in listed] == [out[3]["library_id"]]
            break
    assert shown is not None, "the song was never shown"
    _, _, download, meta, info = shown
    entry = service.library.get(session.owner_token, meta["library_id"])
    assert entry.audio_path.read_bytes() == Path(download).read_bytes()  # the audio as received
    assert (entry.kind, entry.title, entry.prompt, entry.lyrics) == (
        "song",
        "Streetlights",
        "Indie folk, melancholic",
        LYRICS,
    )
    assert entry.trace_id == meta["trace_id"] and entry.provider == meta["provider"] and entry.model == "music-2.6"
    assert entry.duration_s == pytest.approx(meta["duration_s"], abs=0.01) and not entry.partial
    assert entry.params["audio_setting"]["format"] == "mp3" and entry.params["prompt"] == "Indie folk, melancholic"
    assert "Saved to your Library" in info
    index = (service.library.data_dir / "index.db").read_bytes() + (
        service.library.data_dir / "index.db-wal"
    ).read_bytes()
    assert SECRET.encode() not in index and session.owner_token.encode() not in index


def test_pcm_is_kept_as_a_playable_wav(h, service):
    session = visitor()
    *_, (_, _, download, meta, _) = list(h.instrumental("Lo-fi", format="pcm", stream=False, session=session))
    entry = service.library.get(session.owner_token, meta["library_id"])
    assert entry.audio_format == "wav" and entry.metadata["format"] == "pcm"
    assert sf.info(str(entry.audio_path)).duration == pytest.approx(meta["duration_s"], abs=0.05)


def test_a_cut_off_stream_is_kept_marked_partial(h, service, stand):
    stand.configure(chunk_bytes=8192)
    stand.inject(Fault(kind="truncate"))
    session = visitor()
    outs = []
    with pytest.raises(gr.Error):
        for out in h.song("pop", LYRICS, stream=True, session=session, **SONG):
            outs.append(out)
    meta = outs[-1][3]
    (entry,) = service.library.list(session.owner_token)
    assert entry.partial and entry.id == meta["library_id"] and entry.size == Path(outs[-1][2]).stat().st_size
    assert lv.row(entry)[1].startswith("song (partial) · 0:")


@pytest.mark.parametrize("fault", ["closed", "full", "none"])
def test_a_broken_library_still_shows_the_song_with_a_warning(stand, tmp_path, fault):
    library = Library(tmp_path / "data", max_bytes_per_owner=1000 if fault == "full" else 0)
    service = LibraryService(None if fault == "none" else library)
    if fault == "closed":
        library.close()  # stands for a database that broke after start: every call raises LibraryUnavailableError
    h = Handlers(StandInFactory(stand), tick_s=0.05)
    h.library = service
    with pytest.warns(UserWarning, match="Not saved to your library"):
        *_, (_, player, download, meta, info) = list(h.song("pop", LYRICS, stream=False, session=visitor(), **SONG))
    assert sf.info(download).duration > 1 and player == download  # shown and downloadable
    warning = meta["library_warning"]
    assert warning.startswith("Not saved to your library:") and "library_id" not in meta
    assert warning.replace("“", "").split(":")[0] in info  # the info card says it too
    assert str(tmp_path) not in warning and "index.db" not in warning  # no server path for visitors
    if fault == "full":
        assert "cap" in warning
    # ... and the next song is generated as usual
    with pytest.warns(UserWarning, match="Not saved to your library"):
        *_, last = list(h.instrumental("Lo-fi", stream=False, session=visitor()))
    assert isinstance(last[2], str)
    if fault != "closed":
        library.close()


def test_tab_actions_belong_to_the_owner_only(h, service, tmp_path):
    alice, bob = visitor(), visitor()
    *_, (_, _, _, meta, _) = list(h.song("Dreamy synthpop", LYRICS, stream=False, session=alice, **SONG))
    mine = meta["library_id"]
    table, _, ids, picks, usage, several = le.refresh(service, alice)
    assert ids == [mine] and table["value"][0][0] == "Dreamy synthpop" and "MB" in usage
    assert several["visible"] is True  # export of several songs is offered once there are songs
    assert le.refresh(service, alice, "SYNTHPOP")[2] == [mine] and le.refresh(service, alice, "breeze")[2] == [mine]
    table, empty, none, _, usage, several = le.refresh(service, alice, "polka")
    assert none == [] and "No song matches" in empty["value"] and "0 songs match" in usage
    assert picks["choices"] == [(lv.pick_label(service.library.get(alice.owner_token, mine)), mine)]
    # Bob lists nothing, and neither a row number nor Alice's id gets him anywhere.
    table, empty, bob_ids, _, _, several = le.refresh(service, bob)
    assert bob_ids == [] and table["visible"] is False and empty["visible"] is True and several["visible"] is False
    assert le.select(service, [0, 0], bob_ids, bob)[0] == ""
    with pytest.warns(UserWarning, match="not in your library"):
        assert le.select(service, [0, 0], [mine], bob)[0] == ""
    with pytest.warns(UserWarning, match="not in your library"):
        assert le.export(service, [mine], bob) is not None and not list(bob.files_dir().rglob("*.zip"))
    with pytest.warns(UserWarning, match="not in your library"):
        le.delete(service, mine, bob)
    with pytest.warns(UserWarning, match="not in your library"):
        assert le.reuse(service, mine, bob, None, None, None, None) == {}
    assert [e.id for e in service.library.list(alice.owner_token)] == [mine]
    # A session whose page never loaded has its own token: it sees nothing either.
    assert le.refresh(service, Session())[2] == []


def test_select_plays_a_copy_outside_the_library(h, service):
    alice = visitor()
    *_, (_, _, download, meta, _) = list(h.song("Lo-fi beat", LYRICS, stream=False, session=alice, **SONG))
    ids = le.refresh(service, alice)[2]
    selected, player, dl, export_one, reuse, delete, detail, record, star = le.select(service, [0, 2], ids, alice)
    assert selected == meta["library_id"] and Path(player).read_bytes() == Path(download).read_bytes()
    assert Path(player).is_relative_to(alice.files_dir()) and dl["value"] == player and dl["interactive"]
    assert not Path(player).is_relative_to(service.library.data_dir)
    assert "Lo-fi beat" in detail and meta["trace_id"] in detail
    assert record["request"]["prompt"] == "Lo-fi beat" and reuse["interactive"] and delete["interactive"]
    assert star == {"value": "Keep ★", "interactive": True, "__type__": "update"}


def test_keep_star_marks_the_row_and_filters_the_list(h, service):
    alice, bob = visitor(), visitor()
    *_, (_, _, _, kept, _) = list(h.song("Harbour lights", LYRICS, stream=False, session=alice, **SONG))
    *_, (_, _, _, other, _) = list(h.instrumental("Harbour drums", stream=False, session=alice))
    ids = le.refresh(service, alice)[2]
    assert ids == [other["library_id"], kept["library_id"]]
    selected, *_, star = le.select(service, [1, 0], ids, alice, "Harbour lights")
    assert selected == kept["library_id"] and star["value"] == "Keep ★"

    assert le.toggle_star(service, selected, alice)["value"] == "Remove ★"  # the label says what a click does next
    table, empty, ids, _, usage, _ = le.refresh(service, alice)
    assert [r[0] for r in table["value"]] == ["Harbour drums", "★ Harbour lights"]
    assert table["value"][1][1].startswith("kept · song")  # a word for the ★, read out by screen readers too
    # A click on the starred row still opens that song (the row's title carries the ★).
    assert le.select(service, [1, 0], ids, alice, "★ Harbour lights")[0] == kept["library_id"]
    table, empty, ids, picks, usage, _ = le.refresh(service, alice, "", True)
    assert ids == [kept["library_id"]] and [c[1] for c in picks["choices"]] == ids and "1 kept ★ song" in usage
    assert le.refresh(service, alice, "drums", True)[2] == []  # the filter combines with the search
    assert "No kept ★ song matches" in le.refresh(service, alice, "drums", True)[1]["value"]
    assert le.refresh(service, alice, "lights", True)[2] == [kept["library_id"]]

    # Bob: his own (empty) filter, and Alice's id as his "selection" is refused without changing anything.
    assert (
        le.refresh(service, bob, "", True)[2] == []
        and "No kept ★ songs yet" in le.refresh(service, bob, "", True)[1]["value"]
    )
    with pytest.warns(UserWarning, match="not in your library"):
        assert le.toggle_star(service, kept["library_id"], bob)["interactive"] is False
    assert service.library.get(alice.owner_token, kept["library_id"]).starred

    assert le.toggle_star(service, selected, alice)["value"] == "Keep ★"
    assert le.refresh(service, alice, "", True)[2] == [] and not le.refresh(service, alice)[0]["value"][1][
        0
    ].startswith("★")
    assert le.toggle_star(service, "", alice)["interactive"] is False  # nothing selected: nothing to keep


def test_delete_then_undo(h, service):
    alice = visitor()
    *_, (_, _, _, meta, _) = list(h.song("Rainy city", LYRICS, stream=False, session=alice, **SONG))
    deleted, undo_row, note, selected, player, *_ = le.delete(service, meta["library_id"], alice)
    assert deleted == meta["library_id"] and undo_row["visible"] and "Deleted “Rainy city”" in note
    assert selected == "" and player is None and le.refresh(service, alice)[2] == []
    assert le.undo(service, deleted, alice) == ("", {"visible": False, "__type__": "update"})
    assert le.refresh(service, alice)[2] == [meta["library_id"]]


def test_export_zip_holds_audio_lyrics_and_the_request(h, service):
    alice = visitor(api_key=SECRET)
    *_, (_, _, _, one, _) = list(h.song("Folk", LYRICS, stream=False, session=alice, **SONG))
    *_, (_, _, _, two, _) = list(h.instrumental("Lo-fi", stream=False, session=alice))
    shown = le.export(service, le.refresh(service, alice)[2], alice)
    path = shown["value"]
    assert shown["visible"] is True
    assert Path(path).is_relative_to(alice.files_dir())
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        metas = [json.loads(z.read(n)) for n in names if n.endswith("metadata.json")]
        assert len(metas) == 2 and sum(n.endswith("lyrics.txt") for n in names) == 2
        assert {m["id"] for m in metas} == {one["library_id"], two["library_id"]}
        song_meta = next(m for m in metas if m["kind"] == "song")
        assert song_meta["request"]["lyrics"] == LYRICS and song_meta["request"]["model"] == "music-2.6"
        assert z.read(next(n for n in names if n.endswith("lyrics.txt") and "Folk" in n)).decode() == LYRICS
        audio = next(n for n in names if n.endswith(".mp3") and "Folk" in n)
        assert sf.info(io.BytesIO(z.read(audio))).duration == pytest.approx(song_meta["duration_s"], abs=0.1)
        assert SECRET not in json.dumps(metas)


def test_use_again_fills_the_tab_it_came_from(h, service):
    class Parts:
        def __init__(self, *names):
            for name in names:
                setattr(self, name, name)

    audio = Parts("format", "sample_rate", "bitrate", "stream")
    song = Parts("prompt", "lyrics", "lyrics_optimizer", "title", "model")
    song.audio, song.take = audio, Parts("seed", "max_seconds")
    alice = visitor()
    alice.song_title = "My title"
    *_, (_, _, _, meta, _) = list(
        h.song("Cheerful jazz-pop", LYRICS, stream=False, session=alice, **{**SONG, "format": "wav"})
    )
    out = le.reuse(service, meta["library_id"], alice, "tabs", song, None, None)
    assert out["prompt"] == "Cheerful jazz-pop" and out["lyrics"] == LYRICS and out["title"] == "My title"
    assert out["format"] == "wav" and out["stream"] is False and out["model"] == "music-2.6"
    assert out["tabs"].selected == "song"


def test_ensure_owner_keeps_the_browsers_token():
    token = new_owner_token()
    session = Session()
    assert le.ensure_owner(token, session) == (token, session) and session.owner_token == token
    fresh, _ = le.ensure_owner("too-short", Session())
    assert fresh != "too-short" and len(fresh) >= 32


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICGEN_LIBRARY_MAX_MB", "1.5")
    assert max_bytes_from_env() == int(1.5 * 1024 * 1024)
    monkeypatch.setenv("MUSICGEN_LIBRARY_MAX_MB", "lots")
    with pytest.raises(ValueError, match="MUSICGEN_LIBRARY_MAX_MB"):
        max_bytes_from_env()
    monkeypatch.setenv("MUSICGEN_LIBRARY_SHARE_ALL", "1")
    assert share_all_from_env() is True
    monkeypatch.setenv("SPACE_ID", "someone/studio")
    assert share_all_from_env() is False  # never on a Space
    monkeypatch.delenv("SPACE_ID")
    monkeypatch.delenv("MUSICGEN_LIBRARY_MAX_MB")
    monkeypatch.setenv("MUSICGEN_DATA_DIR", str(tmp_path / "lib"))
    service = LibraryService.from_env()
    try:
        assert service.share_all and service.library.data_dir == tmp_path / "lib"
    finally:
        service.close()


def test_a_data_dir_gradio_would_serve_is_refused():
    from gradio import utils

    with pytest.raises(ValueError, match="served folder"):
        check_not_served(Path(utils.get_upload_folder()) / "library")


def test_an_unopenable_library_leaves_the_studio_running(monkeypatch, tmp_path):
    data = tmp_path / "broken"
    data.mkdir()
    (data / "index.db").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("MUSICGEN_DATA_DIR", str(data))
    service = LibraryService.from_env()
    assert not service.available
    _, _, ids, _, usage, _ = le.refresh(service, visitor())
    assert ids == [] and "cannot be shown" in usage and str(data) not in usage
    with pytest.raises(sqlite3.DatabaseError):  # the damaged index was left as it was
        sqlite3.connect(data / "index.db").execute("SELECT * FROM entries")
