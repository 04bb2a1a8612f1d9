"""The access code and the budgets on the server's key, tried through gradio_client as scripts (and strangers) would.

The stand-in plays MiniMax with the server's key; its request log is the witness of what was sent. Visitors without
the code are answered by the offline demo engine, which never reaches the stand-in.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from ui_fixtures import LYRICS, ServerKeyFactory, api_client, reset_standin, serve_studio

from musicgen import providers
from musicgen.access import HEADER, Policy
from musicgen.budget import FILE_NAME, Ledger
from musicgen.library import Library
from musicgen.standin import Fault, StandIn
from musicgen.ui import build_app
from musicgen.ui.gate import Gate
from musicgen.ui.session import Session

SERVER_KEY = "studio-own-key-0123"
CODE = "violet harbour 42"


@pytest.fixture(scope="module")
def standin():
    with pytest.MonkeyPatch.context() as mp:
        # The server holds a MiniMax key: that is what the code and the budgets protect.
        mp.setenv("MINIMAX_API_KEY", SERVER_KEY)
        for name in ("MINIMAX_BASE_URL", "AIMLAPI_KEY", "AIMLAPI_BASE_URL"):
            mp.delenv(name, raising=False)
        server = StandIn(latency_s=0.0).start()
        yield server
        server.stop()


@pytest.fixture
def stand(standin):
    return reset_standin(standin)


@contextlib.contextmanager
def studio(standin: StandIn, data: Path, **policy) -> Iterator[tuple[str, Gate]]:
    gate = Gate(Policy(**policy), Ledger(data))
    try:
        with serve_studio(ServerKeyFactory(standin), data=data, concurrency=20, gate=gate) as (_, url):
            yield url, gate
    finally:
        gate.ledger.close()


def client(url: str, folder: Path, **headers: str) -> Client:
    folder.mkdir(parents=True, exist_ok=True)
    return api_client(url, folder, headers=headers or None)


def song(c: Client, stream: bool = False) -> dict:
    return c.predict(prompt="Indie folk, warm", lyrics=LYRICS, stream=stream, api_name="/song")[3]


def calls(standin: StandIn) -> list[dict]:
    return [r for r in standin.requests if r["path"] == "/v1/music_generation"]


# -- the access code -----------------------------------------------------------------------------------------------


def test_without_the_code_the_demo_engine_answers_and_the_key_is_not_touched(stand, tmp_path):
    with studio(stand, tmp_path / "data", code=CODE) as (url, _):
        assert song(client(url, tmp_path / "a"))["provider"] == providers.DEMO
        assert calls(stand) == []
        # The header reaches the queued event: the server's key answers the script that sent the code.
        meta = song(client(url, tmp_path / "b", **{HEADER: CODE}))
        assert meta["provider"] == providers.MINIMAX and len(calls(stand)) == 1
        assert calls(stand)[0]["headers"]["authorization"] == f"Bearer {SERVER_KEY}"
        with pytest.raises(AppError, match="Access code not accepted") as err:
            song(client(url, tmp_path / "c", **{HEADER: "violet harbour 41"}))
        assert "4 more wrong tries" in str(err.value) and CODE not in str(err.value)
        assert len(calls(stand)) == 1


def test_five_wrong_codes_pause_the_address_even_for_the_right_code(stand, tmp_path):
    with studio(stand, tmp_path / "data", code=CODE) as (url, gate):
        for i in range(5):
            with pytest.raises(AppError, match="Access code not accepted"):
                song(client(url, tmp_path / str(i), **{HEADER: f"guess {i}"}))
        with pytest.raises(AppError, match="Too many wrong access codes") as err:
            song(client(url, tmp_path / "right", **{HEADER: CODE}))
        assert "try again in 10 min" in str(err.value)
        assert calls(stand) == []
        row = gate.ledger.report(1)[0]
        assert (row["refused_code"], row["refused_throttled"]) == (5, 1)


# -- the budgets ---------------------------------------------------------------------------------------------------


def test_a_new_session_or_a_forged_forwarded_for_does_not_start_again(stand, tmp_path):
    with studio(stand, tmp_path / "data", songs_per_visitor=2) as (url, _):
        first = client(url, tmp_path / "a")
        assert [song(first)["provider"] for _ in range(2)] == [providers.MINIMAX] * 2
        for name, headers in (("new", {}), ("forged", {"X-Forwarded-For": "203.0.113.50"})):
            with pytest.raises(AppError, match="Studio key budget used up") as err:
                song(client(url, tmp_path / name, **headers))
            text = str(err.value)
            assert "all 2 songs" in text and "00:00 UTC" in text
            assert "your own MiniMax or AI/ML API key" in text and "Demo engine" in text
        assert len(calls(stand)) == 2


def test_the_day_total_counts_every_visitor(stand, tmp_path):
    with studio(stand, tmp_path / "data", songs_per_day=2) as (url, _):
        song(client(url, tmp_path / "a"))
        song(client(url, tmp_path / "b"))
        with pytest.raises(AppError, match="for all visitors together"):
            song(client(url, tmp_path / "c"))
        assert len(calls(stand)) == 2


def test_ten_clicks_at_once_against_three_left_send_exactly_three(stand, tmp_path):
    stand.configure(latency_s=1.0)  # every request is still running when the last click arrives
    with studio(stand, tmp_path / "data", songs_per_visitor=3) as (url, _):
        visitors = [client(url, tmp_path / str(i)) for i in range(10)]
        start = threading.Barrier(10)
        outcomes: list[str] = []

        def click(c: Client) -> None:
            start.wait()
            try:
                outcomes.append(song(c)["provider"])
            except AppError as exc:
                outcomes.append(exc.title or str(exc))

        threads = [threading.Thread(target=click, args=(c,)) for c in visitors]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes).count(providers.MINIMAX) == 3
        assert outcomes.count("Studio key budget used up") == 7
        assert len(calls(stand)) == 3


def test_a_restart_keeps_the_counts(stand, tmp_path):
    data = tmp_path / "data"
    with studio(stand, data, songs_per_visitor=2) as (url, _):
        song(client(url, tmp_path / "a"))
    with studio(stand, data, songs_per_visitor=2) as (url, _):
        c = client(url, tmp_path / "b")
        song(c)
        with pytest.raises(AppError, match="budget used up"):
            song(c)
    assert len(calls(stand)) == 2


def test_a_use_is_given_back_after_a_bad_key_and_kept_after_a_stream_cut_midway(stand, tmp_path):
    with studio(stand, tmp_path / "data", songs_per_visitor=2) as (url, gate):
        c = client(url, tmp_path / "a")
        stand.inject(Fault(kind="code", code=1004))
        with pytest.raises(AppError, match="API key not accepted"):
            song(c)
        assert c.predict(api_name="/song", prompt="x", lyrics=LYRICS, stream=False)  # 2 left: the 1004 was returned
        stand.configure(chunk_bytes=8192)
        stand.inject(Fault(kind="truncate"))
        with pytest.raises(AppError, match="partial"):
            song(c, stream=True)
        with pytest.raises(AppError, match="budget used up"):  # the cut stream counted
            song(c)
        assert len(calls(stand)) == 3
        assert gate.ledger.report(1)[0]["songs"] == 2


def test_own_keys_and_the_demo_engine_are_never_counted(stand, tmp_path):
    from musicgen.ui.handlers import Handlers

    gate = Gate(Policy(songs_per_visitor=1, songs_per_day=1), Ledger(tmp_path))
    h = Handlers(ServerKeyFactory(stand), tick_s=0.05)
    h.gate = gate
    own, demo = Session(api_key="visitor-own-key"), Session(backend=providers.DEMO)
    for session in (own, own, demo, demo):
        *_, last = h.song("Indie folk", LYRICS, stream=False, session=session)
        assert last[3]["provider"] == session.provider()
    assert len(calls(stand)) == 2 and gate.ledger.report(7) == []
    gate.ledger.close()


def test_the_usage_command_shows_counts_and_no_address_or_token(stand, tmp_path):
    data = tmp_path / "data"
    with studio(stand, data, code=CODE, songs_per_visitor=1) as (url, _):
        c = client(url, tmp_path / "a", **{HEADER: CODE})
        song(c)
        with pytest.raises(AppError):
            song(c)
        with pytest.raises(AppError):
            song(client(url, tmp_path / "b", **{HEADER: "wrong"}))
        c.predict(prompt="a summer road trip", api_name="/lyrics")
    env = {**os.environ, "MUSICGEN_DATA_DIR": str(data)}
    run = [sys.executable, "-m", "musicgen", "usage", "--days", "7"]
    rows = json.loads(subprocess.run([*run, "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    mm = next(r for r in rows if r["backend"] == providers.MINIMAX)
    assert (mm["songs"], mm["helper_calls"], mm["visitors"], mm["refused_budget"]) == (1, 1, 1, 1)
    assert sum(r["refused_code"] for r in rows) == 1
    table = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert "songs" in table and "minimax" in table and "127.0.0.1" not in table
    stored = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith(FILE_NAME))
    assert b"127.0.0.1" not in stored and CODE.encode() not in stored
    bad = subprocess.run([*run[:-2], "--days", "0"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "--days" in bad.stderr


def test_bad_budget_configuration_stops_the_app_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICGEN_SERVER_SONGS_PER_VISITOR", "-3")
    with pytest.raises(ValueError, match="MUSICGEN_SERVER_SONGS_PER_VISITOR"):
        build_app(library=Library(tmp_path))


def test_every_paid_path_passes_the_gate(stand, tmp_path, monkeypatch):
    """Lyrics, cover analysis, music-01 upload and music-01: a visitor who picked the server's MiniMax key without
    the code is refused before any call; with the code, helper calls count against their own allowance."""
    from ui_fixtures import write_reference

    from musicgen.ui.handlers import Handlers
    from musicgen.ui.legacy_handlers import LegacyHandlers

    gate = Gate(Policy(code=CODE, songs_per_visitor=1), Ledger(tmp_path))
    h = Handlers(ServerKeyFactory(stand), tick_s=0.05)
    h.gate = gate
    legacy = LegacyHandlers(h)
    clip = str(write_reference(tmp_path / "ref.wav", seconds=12.0))
    session = Session(code_required=True, backend=providers.MINIMAX)  # chose the server's key, has no code
    attempts = {
        "lyrics": lambda: h.lyrics("a summer road trip", session=session),
        "cover_preprocess": lambda: h.cover_preprocess(clip, session=session),
        "music01_upload": lambda: legacy.music01_upload(clip, "song", session=session),
        "music01": lambda: list(legacy.music01("la la la", "voice-1", "", session=session)),
    }
    for attempt in attempts.values():
        with pytest.raises(Exception, match="Access code needed"):
            attempt()
    assert stand.requests == []
    gate.try_code(CODE, session)
    for _ in range(4):  # 4 x the song allowance of 1
        h.lyrics("a summer road trip", session=session)
    with pytest.raises(Exception, match="all 4 lyrics and cover-analysis calls"):
        h.lyrics("a summer road trip", session=session)
    assert len([r for r in stand.requests if r["path"] == "/v1/lyrics_generation"]) == 4
    gate.ledger.close()
