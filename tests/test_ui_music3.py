"""The studio on a self-hosted MiniMax-Music3 server (the stand-in): choosing it with its health, Seed and Length,
the WAV kept as received with an mp3 download made here, the card, the library, refusals before any call, visitor
servers only when allowed and never on a Space."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
import soundfile as sf

from musicgen import providers
from musicgen.library import Library, new_owner_token
from musicgen.music3.standin import Music3StandIn
from musicgen.ui import events, provider_events, provider_notes
from musicgen.ui import library_events as le
from musicgen.ui.handlers import Handlers
from musicgen.ui.library_service import LibraryService
from musicgen.ui.session import Session, backend_label

pytestmark = pytest.mark.usefixtures("no_provider_env")

PROMPT = "A melancholic lo-fi hip-hop track with a mellow piano riff at 85 BPM"
LYRICS = "[Verse]\nSunday morning, quiet and slow\n[Chorus]\nTake it easy, take it slow"


@pytest.fixture
def engine(monkeypatch):
    with Music3StandIn() as s:
        monkeypatch.setenv("MUSIC3_BASE_URL", s.url)
        yield s


def finished(outputs: list[tuple]) -> tuple:
    return outputs[-1]


def test_configured_server_is_offered_picked_and_named_minimax_music3(engine):
    assert providers.MUSIC3 in {p.name for p in providers.offered()}
    s = Session()
    assert s.provider() == providers.MUSIC3  # the only backend configured
    assert "MiniMax-Music3" in backend_label(s) and "MiniMax-Music3" in events.badge(s)


def test_not_offered_without_a_server():
    assert providers.MUSIC3 not in {p.name for p in providers.offered()}
    assert Session().provider() == providers.DEMO


def test_health_is_shown_when_chosen_ready_starting_or_unreachable(engine):
    s = Session(backend=providers.MUSIC3)
    ready = provider_events.backend_health(s)
    assert ready["visible"] and "is ready" in ready["value"] and "mg-note-done" in ready["value"]
    engine.starting = True
    assert "still starting" in provider_events.backend_health(s)["value"]
    engine.starting = False
    engine.stop()
    down = provider_events.backend_health(s)["value"]
    assert "No answer from" in down and "down or still starting" in down and "mg-note-error" in down


def test_song_with_seed_and_length_keeps_the_wav_and_shows_seed_cap_model(engine, tmp_path):
    h = Handlers(tick_s=0.05)
    s = Session(backend=providers.MUSIC3)
    out = list(h.song(PROMPT, LYRICS, format="wav", stream=True, seed="42", max_seconds=30, session=s))
    _, player, download, meta, card = finished(out)
    assert engine.generations()[-1]["seed"] == 42 and engine.generations()[-1]["max_new_tokens"] == 750
    info = sf.info(player)
    assert (info.samplerate, info.channels, info.subtype) == (32000, 2, "PCM_16") and info.duration <= 30.0
    assert download == player and "MiniMax-Music3" in player
    assert (meta["seed"], meta["max_seconds"], meta["model"]) == (42, 30, "MiniMaxAI/MiniMax-Music3")
    assert ">Seed<" in card and ">42<" in card and "0:30 (30 s)" in card and "MiniMaxAI/MiniMax-Music3" in card
    waiting = [o[4] for o in out[:-1] if isinstance(o[4], str) and "elapsed" in o[4] and "received" not in o[4]]
    assert waiting and all("about 1:00 for this length cap" in w for w in waiting)


def test_blank_seed_is_drawn_shown_and_reproduces_the_same_file(engine):
    h = Handlers(tick_s=0.05)
    s = Session(backend=providers.MUSIC3)
    first = finished(list(h.song(PROMPT, LYRICS, format="wav", seed="", max_seconds=10, session=s)))
    seed = first[3]["seed"]
    assert isinstance(seed, int) and engine.generations()[-1]["seed"] == seed
    again = finished(list(h.song(PROMPT, LYRICS, format="wav", seed=str(seed), max_seconds=10, session=s)))
    assert Path(first[1]).read_bytes() == Path(again[1]).read_bytes()


def test_mp3_download_is_encoded_here_while_the_wav_is_kept(engine):
    h = Handlers(tick_s=0.05)
    s = Session(backend=providers.MUSIC3)
    _, player, download, meta, _ = finished(
        list(h.instrumental("Warm analog pads, 70 BPM", format="mp3", bitrate=128000, max_seconds=10, session=s))
    )
    assert engine.generations()[-1]["response_format"] == "wav"
    assert sf.info(player).format == "WAV" and download.endswith(".mp3")
    mp3 = sf.info(download)
    assert mp3.format == "MP3" and mp3.samplerate == 32000 and abs(mp3.duration - 10.0) < 0.1
    assert meta["format"] == "wav" and meta["download"].endswith(".mp3")


def test_same_line_tag_is_refused_before_any_call_naming_the_line(engine):
    h = Handlers(tick_s=0.05)
    s = Session(backend=providers.MUSIC3)
    with pytest.raises(gr.Error, match="line 2 has text after the tag"):
        list(h.song(PROMPT, "Intro words\n[Chorus] Take it easy", format="wav", session=s))
    assert engine.generations() == []
    shown = events.lyrics_counter("Intro words\n[Chorus] Take it easy", providers.MUSIC3)
    assert "Must fix · line 2" in shown and "MiniMax-Music3 drops the words after [Chorus]" in shown


@pytest.mark.parametrize(
    ("kw", "said"),
    [
        ({"seed": "-3"}, "seed: a whole number"),
        ({"seed": "abc"}, "seed"),
        ({"format": "pcm"}, "format: MiniMax-Music3"),
    ],
)
def test_bad_seed_or_format_is_refused_naming_the_field(engine, kw, said):
    h = Handlers(tick_s=0.05)
    with pytest.raises(gr.Error, match=said):
        list(h.song(PROMPT, LYRICS, **{"format": "wav", **kw}, session=Session(backend=providers.MUSIC3)))
    assert engine.generations() == []


def test_tabs_and_features_it_lacks_say_so_and_name_what_to_switch_to(engine):
    s = Session(backend=providers.MUSIC3)
    for feature in ("cover", "lyrics", "auto-lyrics"):
        text = provider_notes.message(providers.MUSIC3, feature)
        assert "MiniMax-Music3" in text and "Demo engine" in text
    with pytest.raises(gr.Error, match="does not offer"):
        list(Handlers().song(PROMPT, "", lyrics_optimizer=True, session=s))
    assert "does not offer covers" in provider_notes.tab_note(providers.MUSIC3, "cover")
    assert "Seed and Length" in provider_notes.tab_note(providers.MUSIC3, "song")
    assert provider_events.takes_visible(providers.MUSIC3)[0]["visible"] is True
    assert provider_events.takes_visible(providers.DEMO)[0]["visible"] is False


def test_server_down_says_down_or_starting(engine):
    engine.stop()
    with pytest.raises(gr.Error, match="down or still starting"):
        list(Handlers(tick_s=0.05).song(PROMPT, LYRICS, format="wav", session=Session(backend=providers.MUSIC3)))


def test_library_keeps_the_seed_and_reuse_fills_it_back(engine, tmp_path):
    service = LibraryService(Library(tmp_path / "lib"))
    h = Handlers(tick_s=0.05)
    h.library = service
    s = Session(backend=providers.MUSIC3, owner_token=new_owner_token())
    meta = finished(list(h.song(PROMPT, LYRICS, format="wav", seed="7", max_seconds=20, session=s)))[3]
    entry = service.need().get(s.owner_token, meta["library_id"])
    assert entry.params["seed"] == 7 and entry.params["max_seconds"] == 20 and entry.provider == providers.MUSIC3
    with gr.Blocks():
        from musicgen.ui.layout_cover import build_cover_tab
        from musicgen.ui.layout_song import build_instrumental_tab, build_song_tab

        tabs = gr.Tabs()
        song, instrumental = build_song_tab([], takes=True), build_instrumental_tab([], takes=True)
        cover = build_cover_tab(False)
    filled = le.reuse(service, meta["library_id"], s, tabs, song, instrumental, cover)
    assert filled[song.take.seed] == "7" and filled[song.take.max_seconds] == 20 and filled[song.lyrics] == LYRICS


def test_visitor_server_url_only_when_allowed_and_never_on_a_space(engine, monkeypatch):
    s = Session()
    monkeypatch.delenv("MUSIC3_BASE_URL")
    provider_events.set_server_url("http://10.0.0.5:8000", s)
    assert s.urls == {}  # off by default: whatever a page sends is ignored
    monkeypatch.setenv("MUSICGEN_ALLOW_VISITOR_SERVERS", "1")
    monkeypatch.setenv("SPACE_ID", "someone/musicgen")
    provider_events.set_server_url("http://10.0.0.5:8000", s)
    assert s.urls == {}  # never on a Space
    monkeypatch.delenv("SPACE_ID")
    session, backend, _, health = provider_events.set_server_url(engine.url, s)
    assert s.urls == {providers.MUSIC3: engine.url} and backend == providers.MUSIC3 and "is ready" in health["value"]
    _, _, _, bad = provider_events.set_server_url("file:///etc/passwd", s)
    assert "server URL must look like" in bad["value"] and s.urls[providers.MUSIC3] == engine.url
    out = finished(list(Handlers(tick_s=0.05).song(PROMPT, LYRICS, format="wav", max_seconds=10, session=s)))
    assert out[3]["provider"] == providers.MUSIC3 and len(engine.generations()) == 1


def test_stop_closes_the_call_to_the_server(monkeypatch):
    with Music3StandIn(latency_s=30.0) as slow:
        monkeypatch.setenv("MUSIC3_BASE_URL", slow.url)
        made = []

        def factory(session: Session):
            client = session.record().client(session.access())
            made.append(client)
            return client

        run = Handlers(factory, tick_s=0.05).song(PROMPT, LYRICS, format="wav", session=Session(backend="music3"))
        for outputs in run:
            if "Composing" in str(outputs[4]) and slow.in_flight:
                break
        run.close()  # what Gradio does on Stop
        assert made[0].transport.is_closed


def test_minimax_closed_door_names_a_configured_music3_server_as_a_way_on(engine, monkeypatch):
    from musicgen.providers.ways import ways_on

    assert "MiniMax-Music3 on your own GPU" in ways_on("minimax", "music-3.0")
    assert "--provider music3: MiniMax-Music3 on your own GPU" in ways_on("minimax", "music-3.0", cli=True)
    monkeypatch.delenv("MUSIC3_BASE_URL")
    assert "MiniMax-Music3" not in ways_on("minimax", "music-3.0")  # the studio names only what it offers


def test_the_servers_music3_is_gated_like_a_server_key_and_a_visitors_own_server_is_not(engine, monkeypatch):
    from musicgen.access import Policy
    from musicgen.ui.gate import Gate

    h = Handlers(tick_s=0.05)
    h.gate = Gate(Policy(code="invited-only"))
    with pytest.raises(gr.Error, match="access code"):
        list(h.song(PROMPT, LYRICS, format="wav", max_seconds=10, session=Session(backend=providers.MUSIC3)))
    assert engine.generations() == []  # refused before any call to the operator's GPU
    monkeypatch.setenv("MUSICGEN_ALLOW_VISITOR_SERVERS", "1")
    own = Session()
    provider_events.set_server_url(engine.url, own)  # the visitor's own server: theirs to spend
    out = finished(list(h.song(PROMPT, LYRICS, format="wav", max_seconds=10, session=own)))
    assert out[3]["provider"] == providers.MUSIC3 and len(engine.generations()) == 1
