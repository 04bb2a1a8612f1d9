"""Takes at the handlers (no browser): N songs side by side from one click, each kept and counted; seeds that differ
and can be made again; a failing take that leaves the others; refusals before any call; Stop; the backend's line."""

from __future__ import annotations

import re
import time
from pathlib import Path

import gradio as gr
import pytest
import soundfile as sf
from ui_fixtures import LYRICS, ServerKeyFactory, StandInFactory, reset_standin, standin_fixture

from musicgen import providers
from musicgen.access import Policy
from musicgen.budget import Ledger
from musicgen.library import Library
from musicgen.music3.standin import Music3StandIn
from musicgen.standin import Fault, StandIn
from musicgen.ui import library_events as le
from musicgen.ui import takes
from musicgen.ui.gate import Gate
from musicgen.ui.handlers import Handlers
from musicgen.ui.library_service import LibraryService
from musicgen.ui.live import LiveStreams
from musicgen.ui.session import Session

SONG = dict(lyrics_optimizer=False, model="music-2.6", format="mp3", sample_rate=44100, bitrate=256000)


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
def factory(stand):
    return StandInFactory(stand)


@pytest.fixture
def h(factory, service):
    handlers = Handlers(factory, tick_s=0.05)
    handlers.library = service
    handlers.live = LiveStreams()
    return handlers


def visitor(**kw) -> Session:
    session = Session(**kw)
    le.ensure_owner(None, session)
    return session


def generations(standin: StandIn) -> list[dict]:
    return [r for r in standin.requests if r["path"] == "/v1/music_generation"]


def cards_of(board: str) -> dict[str, str]:
    """Each take's card markup on the board, by letter."""
    return dict(re.findall(r'<li class="mg-take[^"]*" data-take="([A-D])">(.*?)</li>', board))


def boards(outs: list[tuple]) -> list[str]:
    return [o[0] for o in outs if isinstance(o[0], str) and "mg-takes" in o[0]]


def test_three_takes_make_three_songs_each_kept_in_the_library(h, stand, service):
    session = visitor()
    outs = list(h.song("Indie folk", LYRICS, stream=True, takes=3, session=session, **SONG))
    _, player, download, meta, info = outs[-1]
    assert len(generations(stand)) == 3
    takes = meta["takes"]
    assert [t["take"] for t in takes] == ["A", "B", "C"] and all(t["status"] == "done" for t in takes)
    # Every take is its own song in the library, with its own file, trace id and measured loudness.
    ids = {t["library_id"] for t in takes}
    assert len(ids) == 3 and {e.id for e in service.entries(session)} == ids
    assert len({t["file"] for t in takes}) == 3 and len({t["trace_id"] for t in takes}) == 3
    assert all(isinstance(t["loudness_lufs"], float) for t in takes)
    # Scripts get take A's files below the board, and its metadata on top of the list.
    assert meta["file"] == takes[0]["file"] == Path(player).name and download == player
    data, rate = sf.read(player, always_2d=True)
    assert rate == 44100 and len(data) / rate == pytest.approx(takes[0]["duration_s"], abs=0.1)
    assert abs(data).max() > 0.01  # not silence
    # The board: a card per take, each with its own player and facts; every take played live as it arrived.
    final = cards_of(outs[-1][0])
    assert sorted(final) == ["A", "B", "C"]
    for letter, take in zip("ABC", takes, strict=True):
        assert "Done" in final[letter] and take["trace_id"] in final[letter] and "gradio_api/file=" in final[letter]
        assert re.search(r'<audio controls[^>]*aria-labelledby="song-take-' + letter, final[letter])
    assert all(any(f'src="live/{session.id}/' in cards_of(b).get(x, "") for b in boards(outs)) for x in "ABC")
    assert "3 takes: take A is below" in info
    # The board is drawn again only when a take changes shape (plays, finishes, fails), not every tick.
    assert len(boards(outs)) < len(outs)


def test_takes_count_against_the_budget_one_song_each(stand, tmp_path):
    gate = Gate(Policy(songs_per_visitor=5), Ledger(tmp_path))
    h = Handlers(ServerKeyFactory(stand), tick_s=0.05)
    h.gate = gate
    session = Session(backend=providers.MINIMAX)  # the server's key
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINIMAX_API_KEY", "studio-key")
        list(h.instrumental("Lo-fi", stream=False, takes=3, session=session))
        assert gate.songs_left(session) == 2 and len(generations(stand)) == 3
        # Asking for more takes than songs left is refused before any call, naming the field and the limit.
        with pytest.raises(gr.Error) as err:
            list(h.instrumental("Lo-fi", stream=False, takes=3, session=session))
        assert "Takes" in err.value.message and "at most 2" in err.value.message
        assert len(generations(stand)) == 3 and gate.songs_left(session) == 2
    gate.ledger.close()


@pytest.mark.parametrize("takes", [0, 5, 99, "two", 2.5])
def test_takes_outside_one_to_four_are_refused_naming_the_field(h, stand, takes):
    with pytest.raises(gr.Error) as err:
        list(h.song("pop", LYRICS, stream=False, takes=takes, session=Session(), **SONG))
    assert "Takes" in err.value.message and "1 to 4" in err.value.message
    assert stand.requests == []


def test_a_failing_take_does_not_stop_the_others(h, stand, service):
    stand.inject(Fault(kind="code", code=1000, message="unknown error"))  # the first request to arrive fails
    session = visitor()
    outs = list(h.song("pop", LYRICS, stream=False, takes=3, session=session, **SONG))
    meta, info = outs[-1][3], outs[-1][4]
    states = {t["take"]: t["status"] for t in meta["takes"]}
    failed = [k for k, v in states.items() if v == "failed"]
    assert len(failed) == 1 and sorted(v for v in states.values()) == ["done", "done", "failed"]
    bad = next(t for t in meta["takes"] if t["status"] == "failed")
    assert "trace id" in bad["error"]
    card = cards_of(outs[-1][0])[failed[0]]
    assert "Failed" in card and "trace id" in card  # its card says why, with the trace id
    assert len(service.entries(session)) == 2 and f"take {failed[0]} failed" in info


def test_a_cut_off_take_keeps_its_partial_song(h, stand):
    stand.configure(chunk_bytes=8192)
    stand.inject(Fault(kind="truncate"))
    outs = list(h.song("pop", LYRICS, stream=True, takes=2, session=visitor(), **SONG))
    partial = [t for t in outs[-1][3]["takes"] if t["status"] == "failed"]
    assert len(partial) == 1 and partial[0]["partial"] is True and partial[0]["file"].endswith("-partial.mp3")
    card = cards_of(outs[-1][0])[partial[0]["take"]]
    assert "partial song kept" in card and "<audio" in card


def test_every_take_failing_is_an_error_with_the_first_reason(h, stand):
    stand.inject(Fault(kind="code", code=1004, message="auth failed"), times=2)
    outs = []
    with pytest.raises(gr.Error) as err:
        for out in h.song("pop", LYRICS, stream=False, takes=2, session=visitor(), **SONG):
            outs.append(out)
    assert "All 2 takes failed" in err.value.message and "mg-note-error" in outs[-1][4]


def test_stop_ends_every_take_and_frees_the_slots(h, stand, factory):
    stand.configure(chunk_bytes=2048, chunk_interval_s=0.3)
    session = visitor()
    gen = h.song("pop", LYRICS, stream=True, takes=3, session=session, **SONG)
    for _ in range(6):
        next(gen)
    line = h.slot(session.provider())
    assert line.running == 3
    t0 = time.monotonic()
    gen.close()  # what Gradio does when the visitor presses Stop
    assert time.monotonic() - t0 < 2.0
    assert line.running == 0 and line.waiting == 0
    assert len(factory.clients) == 3 and all(c.transport.is_closed for c in factory.clients)
    board = takes.stopped("song", session)  # what the Stop button shows on the board
    assert all("Stopped" in card for card in cards_of(board).values())
    list(h.song("pop", LYRICS, stream=False, session=session, **SONG))  # a single take: no board left to stop
    assert takes.stopped("song", session) is not board and not isinstance(takes.stopped("song", session), str)


def test_more_takes_than_the_backends_slots_wait_in_line(h, stand):
    stand.configure(chunk_bytes=2048, chunk_interval_s=0.2)
    session = visitor()
    h.slot(session.provider()).size = 2
    gen = h.song("pop", LYRICS, stream=True, takes=3, session=session, **SONG)
    seen: list[tuple] = []
    waiting = re.compile(r"([ABC]) 1st in line")
    while not any(waiting.search(o[4]) for o in seen) and len(seen) < 100:
        seen.append(next(gen))
    # The take that came third (threads race for the line) waits its turn, and says so; on its card too.
    letter = next(waiting.search(o[4]) for o in seen if waiting.search(o[4])).group(1)
    assert any("1st in line" in cards_of(b)[letter] for b in boards(seen))
    assert h.slot(session.provider()).running == 2
    stand.configure(chunk_interval_s=0.0)
    rest = list(gen)
    assert all(t["status"] == "done" for t in rest[-1][3]["takes"])


def test_one_take_is_exactly_the_single_song_of_before(h, stand):
    outs = list(h.song("pop", LYRICS, stream=False, takes=1, session=visitor(), **SONG))
    assert not boards(outs) and "takes" not in outs[-1][3] and len(generations(stand)) == 1


@pytest.fixture
def engine(monkeypatch):
    for name in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "AIMLAPI_KEY", "AIMLAPI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with Music3StandIn() as s:
        monkeypatch.setenv("MUSIC3_BASE_URL", s.url)
        yield s


def test_a_given_seed_counts_up_per_take_on_music3(engine):
    h = Handlers(tick_s=0.05)
    session = Session(backend=providers.MUSIC3)
    outs = list(h.song("lo-fi at 85 BPM", LYRICS, format="wav", stream=False, seed="41", max_seconds=10, takes=3,
                       session=session))  # fmt: skip
    assert sorted(g["seed"] for g in engine.generations()) == [41, 42, 43]
    assert [t["seed"] for t in outs[-1][3]["takes"]] == [41, 42, 43]
    assert "differ only in their seed (your seed counting up): A 41 · B 42 · C 43" in outs[-1][0]
    # The same seed makes the same take again: take B is reproducible on its own.
    again = list(h.song("lo-fi at 85 BPM", LYRICS, format="wav", stream=False, seed="42", max_seconds=10,
                        session=session))  # fmt: skip
    b = outs[-1][3]["takes"][1]
    assert Path(again[-1][1]).read_bytes() == (Path(outs[-1][1]).parent / b["file"]).read_bytes()


def test_a_blank_seed_draws_one_per_take(engine):
    h = Handlers(tick_s=0.05)
    outs = list(h.instrumental("ambient pads", format="wav", stream=False, seed="", max_seconds=10, takes=2,
                               session=Session(backend=providers.MUSIC3)))  # fmt: skip
    seeds = [t["seed"] for t in outs[-1][3]["takes"]]
    assert len(set(seeds)) == 2 and "a random seed each" in outs[-1][0]


def test_backends_without_seeds_say_the_settings_are_the_same(h, stand):
    outs = list(h.instrumental("Lo-fi", stream=False, takes=2, session=visitor()))
    assert "settings are the same: the model draws each take differently" in outs[-1][0]


def test_keep_star_marks_only_this_sessions_take(h, stand, service):
    alice, mallory = visitor(), visitor()
    meta = list(h.song("pop", LYRICS, stream=False, takes=2, session=alice, **SONG))[-1][3]
    b_id = meta["takes"][1]["library_id"]
    board = takes.keep(h, "song", "B", alice)
    assert 'data-take="B" aria-pressed="true"' in board and "★ Kept" in board
    assert {e.id: e.starred for e in service.entries(alice)} == {meta["takes"][0]["library_id"]: False, b_id: True}
    # Another visitor's session holds no board of Alice's: the same letter reaches nothing of hers.
    assert takes.keep(h, "song", "A", mallory) is not None and not any(e.starred for e in service.entries(mallory))
    assert not next(e for e in service.entries(alice) if e.id != b_id).starred
    for letter in ("Z", "", None, b_id):  # only a take's letter of the session's own board means anything
        takes.keep(h, "song", letter, alice)
    assert [e.starred for e in service.entries(alice) if e.id == b_id] == [True]
    takes.keep(h, "song", "B", alice)  # again: no longer kept
    assert not any(e.starred for e in service.entries(alice))


def test_a_script_gets_take_a_and_every_takes_metadata(tmp_path, monkeypatch):
    from gradio_client import Client
    from gradio_client.exceptions import AppError
    from ui_fixtures import launched

    from musicgen.ui import build_app

    for name in ("MINIMAX_API_KEY", "AIMLAPI_KEY", "MUSIC3_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    library = Library(tmp_path / "data")
    try:
        with launched(build_app(library=library)) as url:  # the demo engine
            c = Client(url, verbose=False, download_files=str(tmp_path / "dl"), analytics_enabled=False)
            _, song, download, meta, _ = c.predict(prompt="Lo-fi, rainy night", stream=False, takes=2,
                                                   api_name="/instrumental")  # fmt: skip
            assert [t["take"] for t in meta["takes"]] == ["A", "B"] and meta["file"] == meta["takes"][0]["file"]
            assert sf.info(song).duration == pytest.approx(meta["takes"][0]["duration_s"], abs=0.5)  # mp3 padding
            with pytest.raises(AppError, match="Takes: a whole number from 1 to 4"):
                c.predict(prompt="Lo-fi, rainy night", stream=False, takes=99, api_name="/instrumental")
    finally:
        library.close()
