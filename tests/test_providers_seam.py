"""The Provider seam: one record per backend, read by the studio, the CLI and the library; errors carry their provider;
music-01 runs through the same runner, Stop and error path as every generation."""

from __future__ import annotations

import dataclasses
import time

import gradio as gr
import pytest
from ui_fixtures import LYRICS, reset_standin, standin_fixture

from musicgen import cli, errors, providers
from musicgen.aimlapi import AimlApiClient
from musicgen.aimlapi.standin import ProxyFault, ProxyStandIn
from musicgen.client import MusicClient
from musicgen.config import RetryPolicy
from musicgen.providers import Access, Capabilities, Provider
from musicgen.requests import MusicRequest
from musicgen.standin import Fault
from musicgen.ui import cards, events, provider_notes
from musicgen.ui.errors import to_gr_error
from musicgen.ui.handlers import Handlers
from musicgen.ui.legacy_handlers import LegacyHandlers
from musicgen.ui.session import Session, backend_label

pytestmark = pytest.mark.usefixtures("no_provider_env")
SONG = dict(lyrics_optimizer=False, model="music-2.6", format="wav", sample_rate=16000, bitrate=128000)


standin = standin_fixture()


@pytest.fixture
def toy(standin, monkeypatch):
    """A backend added the way the README says: one record and one registry entry, nothing else."""
    reset_standin(standin, chunk_bytes=4096)
    made: list[MusicClient] = []

    def connect(access: Access) -> MusicClient:
        made.append(MusicClient(api_key=access.key or "toy-key", base_url=standin.url, provider="toy"))
        return made[-1]

    record = Provider(
        name="toy",
        label="Toy engine",
        badge="Toy engine (loopback)",
        can=Capabilities(instrumental=False, streaming=False, seed=True, max_seconds=(10.0, 360.0)),
        connect=connect,
        credential="none",
        default_concurrency=1,
        auto=False,
    )
    monkeypatch.setitem(providers.REGISTRY, "toy", record)
    return made


def test_a_new_backend_is_one_record_and_the_studio_follows_it(toy):
    session = Session(backend="toy")
    assert "toy" in [p.name for p in providers.offered()]
    assert backend_label(session) == "Toy engine (loopback)" and "mg-badge-toy" in events.badge(session)
    *_, (_, player, download, meta, card) = Handlers(tick_s=0.05).song(
        "pop", LYRICS, stream=False, session=session, **SONG
    )
    assert meta["provider"] == "toy" and "-toy-" in download.rsplit("/", 1)[-1] and "Toy engine" in card
    # What it lacks is refused before any call, naming it and the backends that can.
    with pytest.raises(gr.Error) as err:
        list(Handlers(tick_s=0.05).instrumental("ambient", session=session))
    assert "Toy engine (your current backend) does not offer instrumentals" in err.value.message
    assert "MiniMax or Demo engine" in err.value.message and len(toy) == 1
    song, instrumental, *_ = provider_notes.tab_notes("toy")
    assert instrumental["visible"] and not song["visible"]


def test_a_new_backend_is_on_the_command_line_with_its_refusals(toy, tmp_path, capsys):
    out = tmp_path / "toy.wav"
    args = ["--provider", "toy", "--quiet", "song", "--prompt", "pop", "--lyrics", LYRICS, "--format", "wav"]
    assert cli.main([*args, "--out", str(out)]) == 0 and out.stat().st_size > 0
    assert cli.main(["--provider", "toy", "instrumental", "--prompt", "ambient"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "does not offer instrumentals: use --provider minimax or --provider music3 or --provider demo" in err
    assert len(toy) == 1  # the refusal made no client


def test_a_backends_concurrency_queues_the_next_song_with_the_stage_shown(toy, standin):
    standin.configure(chunk_bytes=4096, chunk_interval_s=0.3)
    h = Handlers(tick_s=0.05)
    first = h.song("pop", LYRICS, stream=True, session=Session(backend="toy"), **SONG)
    next(first), next(first)
    second = h.song("pop", LYRICS, stream=True, session=Session(backend="toy"), **SONG)
    next(second)
    assert "Waiting for a free slot · 1st in line" in next(second)[4]  # concurrency 1: the second waits its turn
    first.close()
    standin.configure(chunk_interval_s=0.0)
    assert any(isinstance(o[2], str) for o in second)


def test_concurrency_comes_from_the_backends_variable(monkeypatch):
    record = Provider("x", "X", "X", Capabilities(), lambda a: None, concurrency_env="X_CONC", default_concurrency=16)  # type: ignore[arg-type,return-value]
    assert record.concurrency() == 16
    monkeypatch.setenv("X_CONC", "4")
    assert record.concurrency() == 4
    monkeypatch.setenv("X_CONC", "many")
    with pytest.raises(ValueError, match="X_CONC must be a whole number"):
        record.concurrency()


def test_server_held_tells_whose_key_serves_the_request(monkeypatch):
    assert not Session().server_held()  # no key anywhere: the demo engine, which costs nothing
    monkeypatch.setenv("MINIMAX_API_KEY", "server-key")
    assert Session().provider() == providers.MINIMAX and Session().server_held()
    assert not Session(api_key="visitor-key").server_held()
    assert not Session(backend=providers.DEMO).server_held()
    monkeypatch.setenv("AIMLAPI_KEY", "server-aiml-key")
    assert Session(backend=providers.AIMLAPI).server_held()
    assert not Session(backend=providers.AIMLAPI, aimlapi_key="own").server_held()


def test_errors_carry_the_provider_that_raised_them(standin):
    standin.reset()
    standin.inject(Fault("code", code=1000))
    no_retry = RetryPolicy(max_retries=0)
    with MusicClient(api_key="k", base_url=standin.url, retry=no_retry) as c, pytest.raises(errors.APIError) as e:
        c.generate(MusicRequest.song("pop", LYRICS))
    assert e.value.provider == providers.MINIMAX and to_gr_error(e.value).title == "MiniMax server error"
    with ProxyStandIn(api_key="right") as proxy, AimlApiClient("wrong", proxy.url, retry=no_retry) as c:
        with pytest.raises(errors.AuthenticationError) as e:
            c.generate(MusicRequest.song("indie folk, melancholic", LYRICS, model="music-2.6"))
    assert e.value.provider == providers.AIMLAPI and "AI/ML API" in e.value.hint
    shown = to_gr_error(e.value, secret="wrong").message
    assert "AIMLAPI_KEY" in shown and "MINIMAX_API_KEY" not in shown


def test_errors_another_backend_raises_are_titled_with_its_name(standin):
    standin.reset()
    standin.inject(Fault("code", code=1000))
    with MusicClient(api_key="k", base_url=standin.url, provider=providers.AIMLAPI, retry=RetryPolicy(0)) as c:
        with pytest.raises(errors.ServerError) as e:
            c.generate(MusicRequest.song("pop", LYRICS))
    assert to_gr_error(e.value).title == "AI/ML API server error"


# -- music-01 goes through the one runner: progress, Stop and the error path --------------------------------------


@pytest.fixture
def minimax_host(monkeypatch):
    with ProxyStandIn(api_key="visitor-key", audio_s=1.0) as s:
        monkeypatch.setenv("MINIMAX_BASE_URL", s.url)
        yield s


def test_music01_shows_progress_and_stop_ends_it_within_a_tick(minimax_host):
    minimax_host.inject(ProxyFault("slow", delay_s=5.0, route="music01"))
    made = []

    def factory(session):
        made.append(providers.minimax_client(session.api_key))
        return made[-1]

    gen = LegacyHandlers(Handlers(factory, tick_s=0.05)).music01(
        "la la la", "vocal-1", "", False, "mp3", Session(api_key="visitor-key")
    )
    lines = [next(gen)[4] for _ in range(4)]
    assert "Sending the request" in lines[0] and any("elapsed" in line for line in lines)
    t0 = time.monotonic()
    gen.close()  # what Gradio does on Stop
    assert time.monotonic() - t0 < 1.0 and made[-1].transport.is_closed


def test_music01_failures_take_the_same_error_path(minimax_host):
    minimax_host.inject(ProxyFault("http", status=500, message="boom", route="music01"))
    lh = LegacyHandlers(Handlers(tick_s=0.05))
    outs = []
    with pytest.raises(gr.Error) as err:
        for out in lh.music01("la la la", "vocal-1", "", False, "mp3", Session(api_key="visitor-key")):
            outs.append(out)
    assert err.value.title == "MiniMax server error" and "mg-note-error" in outs[-1][4]


def test_the_metadata_card_names_each_backend_by_its_record():
    assert "AI/ML API (MiniMax model)" in cards.metadata_card({"provider": "aimlapi", "model": "music-2.6"})
    assert "Demo engine" in cards.metadata_card({"provider": "demo"})
    assert "<dd>MiniMax</dd>" in cards.metadata_card({"provider": "minimax"})


def test_a_backend_with_a_health_check_shows_it_when_picked(toy, monkeypatch):
    from musicgen.ui.provider_events import backend_health

    checked: list[Access] = []

    def health(access: Access) -> providers.Health:
        checked.append(access)
        return providers.Health(False, "The server is still starting: try again in a minute.")

    monkeypatch.setitem(providers.REGISTRY, "toy", dataclasses.replace(providers.REGISTRY["toy"], health=health))
    session, _ = events.set_backend("toy", Session())
    shown = backend_health(session)
    assert shown["visible"] and "still starting" in shown["value"] and "mg-note-error" in shown["value"]
    assert len(checked) == 1
    assert backend_health(Session(backend=providers.DEMO))["visible"] is False  # no check: nothing shown


def test_a_visitor_can_pick_only_an_offered_backend(toy, monkeypatch):
    assert events.set_backend("toy", Session())[0].backend == "toy"
    monkeypatch.setitem(
        providers.REGISTRY, "toy", dataclasses.replace(providers.REGISTRY["toy"], offered=lambda: False)
    )
    session, _ = events.set_backend("toy", Session())
    assert session.backend == "" and session.provider() == providers.DEMO  # not offered: the automatic choice
    assert events.set_backend("../../etc", Session())[0].backend == ""


def test_a_request_without_a_model_gets_each_backends_default():
    with ProxyStandIn(api_key="k") as proxy, AimlApiClient("k", proxy.url) as c:
        song = c.generate(MusicRequest.song("indie folk, melancholic", LYRICS))  # as the README shows it
    assert song.model == "music-2.6" and proxy.requests[0]["json"]["model"] == "minimax/music-2.6"
    assert MusicRequest.song("indie folk", LYRICS).model == "music-3.0"  # MiniMax's and the demo engine's default
    with pytest.raises(ValueError, match="music-3.0 is not offered through the AI/ML API"):
        AimlApiClient("k", "http://127.0.0.1:9").submit(MusicRequest.song("indie folk", LYRICS, model="music-3.0"))
