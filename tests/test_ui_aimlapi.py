"""The studio's second provider: choosing the AI/ML API, per-visitor keys, the badge, a song through the proxy
stand-in with its task stages, refusals before any call, and the legacy music-01 section (all on loopback)."""

from __future__ import annotations

import gradio as gr
import pytest
import soundfile as sf

from musicgen import providers
from musicgen.aimlapi import AimlApiClient
from musicgen.aimlapi.standin import ProxyStandIn, TaskPlan, tone
from musicgen.library import Library, new_owner_token
from musicgen.ui import events, provider_events, provider_notes
from musicgen.ui import library_events as le
from musicgen.ui.handlers import Handlers
from musicgen.ui.layout_legacy import LegacySection
from musicgen.ui.legacy_handlers import LegacyHandlers, lyrics_count
from musicgen.ui.library_service import LibraryService
from musicgen.ui.session import Session, backend_label, default_client_factory

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\nPushing the wooden door"
PROMPT = "indie folk, melancholic"
VISITOR_A, VISITOR_B, SERVER = "aiml-visitor-a-secret-111", "aiml-visitor-b-secret-222", "aiml-server-secret-333"


@pytest.fixture
def proxy(monkeypatch):
    """The proxy stand-in (accepting any key), which the studio's default factory reaches via AIMLAPI_BASE_URL."""
    with ProxyStandIn(audio_s=1.0, default_plan=TaskPlan(queued_s=0.05, generating_s=0.1)) as s:
        monkeypatch.setenv("AIMLAPI_BASE_URL", s.url)
        yield s


def keys_seen(standin: ProxyStandIn) -> list[str]:
    return [r["headers"].get("authorization", "") for r in standin.requests if r["method"] == "POST"]


def run_song(h: Handlers, session: Session, **kw) -> list[tuple]:
    return list(h.song(PROMPT, LYRICS, stream=False, format="wav", session=session, **kw))


# -- choosing the provider, keys and the badge -----------------------------------------------------------------------


def test_default_provider_is_minimax_then_aimlapi_then_demo(monkeypatch):
    assert Session().provider() == providers.DEMO
    monkeypatch.setenv("AIMLAPI_KEY", SERVER)
    assert Session().provider() == providers.AIMLAPI
    assert backend_label(Session()) == "AI/ML API proxy · server key"
    monkeypatch.setenv("MINIMAX_API_KEY", "minimax-server-key")
    assert Session().provider() == providers.MINIMAX  # MiniMax first when it has a key
    assert Session(aimlapi_key=VISITOR_A, backend=providers.AIMLAPI).provider() == providers.AIMLAPI


def test_badge_names_the_active_backend_and_never_the_key():
    s = Session()
    session, backend, badge = provider_events.set_aimlapi_key(f"  {VISITOR_A}  ", s)
    assert session.aimlapi_key == VISITOR_A and backend == providers.AIMLAPI
    assert "Backend: AI/ML API proxy · your key" in badge and "mg-badge-aimlapi" in badge
    assert VISITOR_A not in badge and VISITOR_A not in repr(session)
    assert "AI/ML API proxy · no API key set" in events.badge(Session(backend=providers.AIMLAPI))
    _, badge = events.set_backend(providers.DEMO, s)
    assert "Demo engine" in badge and s.aimlapi_key == VISITOR_A  # switching keeps the key for later
    _, badge = events.set_backend(providers.AIMLAPI, s)
    assert "AI/ML API proxy · your key" in badge
    _, backend, badge = provider_events.set_aimlapi_key("", s)
    assert backend == providers.DEMO and "Demo engine" in badge  # cleared: back to automatic


def test_each_visitor_uses_their_own_aimlapi_key_and_others_the_servers(proxy, monkeypatch):
    monkeypatch.setenv("AIMLAPI_KEY", SERVER)
    a, b, c = Session(), Session(), Session()
    provider_events.set_aimlapi_key(VISITOR_A, a)
    provider_events.set_aimlapi_key(VISITOR_B, b)
    h = Handlers(tick_s=0.05)  # the studio's default client factory
    for session in (a, b, c):
        run_song(h, session)
    assert keys_seen(proxy) == [f"Bearer {VISITOR_A}", f"Bearer {VISITOR_B}", f"Bearer {SERVER}"]
    assert backend_label(c) == "AI/ML API proxy · server key" and backend_label(a).endswith("· your key")
    client = default_client_factory(a)
    assert isinstance(client, AimlApiClient) and VISITOR_A not in repr(client)
    client.close()


# -- a song through the proxy stand-in ---------------------------------------------------------------------------------


def test_song_through_the_studio_shows_queued_generating_and_completed_with_elapsed_time(proxy):
    proxy.plan(TaskPlan(queued_s=0.4, generating_s=0.6))
    outs = run_song(Handlers(tick_s=0.1), Session(aimlapi_key=VISITOR_A, backend=providers.AIMLAPI))
    infos = [o[4] for o in outs]
    stages = [
        t for t in ("Queued at the AI/ML API", "Generating on the AI/ML API", "Completed") if any(t in i for i in infos)
    ]
    assert stages == ["Queued at the AI/ML API", "Generating on the AI/ML API", "Completed"]
    first = {t: next(n for n, i in enumerate(infos) if t in i) for t in stages}
    assert first["Queued at the AI/ML API"] < first["Generating on the AI/ML API"] < first["Completed"]
    assert all("elapsed" in i for i in infos[:-1])
    assert any("0:01 elapsed" in i for i in infos)  # the clock moves while the task runs
    _, player, download, meta, card = outs[-1]
    audio, rate = sf.read(download)
    assert rate == 44100 and len(audio) > 0 and player == download
    assert "-aimlapi-" in download.rsplit("/", 1)[-1]
    assert meta["provider"] == "aimlapi" and meta["credits_used"] == 390_000 and meta["usd_spent"] == 0.195
    assert "AI/ML API (MiniMax model)" in card and "390,000 credits · $0.195" in card and meta["generation_id"] in card


def test_a_rejected_key_says_where_to_set_the_aimlapi_key_and_hides_it(monkeypatch):
    with ProxyStandIn(api_key="the-right-key") as s:
        monkeypatch.setenv("AIMLAPI_BASE_URL", s.url)
        with pytest.raises(gr.Error) as err:
            run_song(Handlers(tick_s=0.05), Session(aimlapi_key=VISITOR_A, backend=providers.AIMLAPI))
    assert err.value.title == "API key not accepted"
    assert "AI/ML API key" in err.value.message and "AIMLAPI_KEY" in err.value.message
    assert VISITOR_A not in err.value.message and "region" not in err.value.message


# -- what the proxy cannot do is refused before any call ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda h, s: list(h.instrumental("lo-fi hip hop", session=s)), "does not offer instrumentals"),
        (lambda h, s: list(h.cover("acoustic folk, warm", audio_url="https://x/a.mp3", session=s)), "covers"),
        (lambda h, s: h.cover_preprocess(audio_url="https://x/a.mp3", session=s), "cover preprocessing"),
        (lambda h, s: h.lyrics("a summer road trip", session=s), "lyrics writing"),
        (lambda h, s: list(h.song(PROMPT, "", lyrics_optimizer=True, session=s)), "lyrics writing"),
    ],
)
def test_unsupported_tabs_name_the_provider_and_what_to_do_before_any_call(proxy, call, words):
    h = Handlers(tick_s=0.05)
    with pytest.raises(gr.Error) as err:
        call(h, Session(aimlapi_key=VISITOR_A, backend=providers.AIMLAPI))
    assert err.value.title == provider_notes.TITLE
    assert "The AI/ML API (your current backend)" in err.value.message and words in err.value.message
    assert "Settings tab" in err.value.message and "MiniMax or the Demo engine" in err.value.message
    assert proxy.requests == []


def test_tab_notes_follow_the_backend():
    song, instrumental, cover, legacy = provider_notes.tab_notes(providers.AIMLAPI)
    assert song["visible"] and "give your own lyrics" in song["value"]
    assert instrumental["visible"] and "does not offer instrumentals" in instrumental["value"]
    assert cover["visible"] and "music-01 section below works" in cover["value"] and not legacy["visible"]
    assert [n["visible"] for n in provider_notes.tab_notes(providers.MINIMAX)] == [False] * 4
    *_, legacy = provider_notes.tab_notes(providers.DEMO)
    assert legacy["visible"] and "needs a MiniMax key" in legacy["value"]


# -- legacy music-01 ---------------------------------------------------------------------------------------------------


@pytest.fixture
def minimax_host(monkeypatch):
    """The proxy stand-in also answers MiniMax's /v1/music_upload and music-01 generation: a loopback MiniMax host."""
    with ProxyStandIn(api_key="minimax-visitor-key", audio_s=1.0) as s:
        monkeypatch.setenv("MINIMAX_BASE_URL", s.url)
        yield s


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "reference.wav"
    path.write_bytes(tone(12.0, "wav", 8000, 1))
    return str(path)


@pytest.mark.parametrize("backend", [providers.MINIMAX, providers.AIMLAPI])
def test_legacy_upload_then_generate_lands_in_the_results(minimax_host, reference, monkeypatch, backend):
    monkeypatch.setenv("AIMLAPI_BASE_URL", minimax_host.url)
    session = Session(api_key="minimax-visitor-key", aimlapi_key="minimax-visitor-key", backend=backend)
    lh = LegacyHandlers(Handlers(tick_s=0.05))
    voice, inst, info = lh.music01_upload(reference, "song", session)
    assert voice.startswith("vocal-") and inst.startswith("instrumental-") and voice in info
    upload = next(r for r in minimax_host.requests if r["method"] == "POST")
    assert upload["path"] == (
        "/v1/music_upload" if backend == providers.MINIMAX else "/v2/generate/audio/minimax/upload"
    )
    outs = list(lh.music01("Streetlights flicker", voice, inst, True, "wav", session))
    live, player, download, meta, card = outs[-1]
    assert player == download and live == gr.skip()
    audio, rate = sf.read(download)
    assert len(audio) > 0 and meta["model"] == "music-01" and meta["kind"] == "music01"
    assert meta["refer_voice"] == voice and "music-01" in card
    sent = [r for r in minimax_host.requests if r["method"] == "POST"][-1]["json"]
    assert sent["lyrics"] == "##Streetlights flicker##" and sent["refer_instrumental"] == inst


def test_legacy_voice_only_upload_and_its_rules(minimax_host, reference, tmp_path):
    session = Session(api_key="minimax-visitor-key")
    lh = LegacyHandlers(Handlers(tick_s=0.05))
    voice, inst, _ = lh.music01_upload(reference, "voice", session)
    assert voice and inst == ""
    short = tmp_path / "short.wav"
    short.write_bytes(tone(3.0, "wav", 8000, 1))
    with pytest.raises(gr.Error, match="10 s to 10 min"):
        lh.music01_upload(str(short), "song", session)
    with pytest.raises(gr.Error, match="at most 200 characters"):
        list(lh.music01("l" * 199, voice, "", True, "mp3", session))  # the ## marks count
    assert "with ## … ##" in lyrics_count("l" * 199, True) and "mg-count-bad" in lyrics_count("l" * 199, True)


def test_legacy_model_retired_says_so(reference, monkeypatch):
    with ProxyStandIn(music01_retired=True) as s:
        monkeypatch.setenv("MINIMAX_BASE_URL", s.url)
        session = Session(api_key="k")
        lh = LegacyHandlers(Handlers(tick_s=0.05))
        with pytest.raises(gr.Error) as err:
            list(lh.music01("la la la", "vocal-1", "", False, "mp3", session))
    assert err.value.title == "Model unavailable" and "legacy model that may no longer be served" in err.value.message


def test_legacy_on_the_demo_engine_says_a_key_is_needed_before_any_call(reference):
    lh = LegacyHandlers(Handlers(lambda s: pytest.fail("no client may be made"), tick_s=0.05))
    session = Session(backend=providers.DEMO)
    for call in (
        lambda: lh.music01_upload(reference, "song", session),
        lambda: list(lh.music01("la", "v", "", False, "mp3", session)),
    ):
        with pytest.raises(
            gr.Error,
            match="Demo engine .your current backend. does not offer the legacy music-01 model. It needs a MiniMax key",
        ):
            call()


def test_a_music01_song_in_the_library_fills_the_legacy_section_again(minimax_host, reference, tmp_path):
    service = LibraryService(Library(tmp_path / "data"))
    try:
        handlers = Handlers(tick_s=0.05)
        handlers.library = service
        session = Session(api_key="minimax-visitor-key")
        session.owner_token = new_owner_token()
        lh = LegacyHandlers(handlers)
        voice, inst, _ = lh.music01_upload(reference, "song", session)
        meta = list(lh.music01("Streetlights flicker", voice, inst, True, "wav", session))[-1][3]
        legacy = LegacySection(*LegacySection.__dataclass_fields__)  # each part named after itself
        out = le.reuse(service, meta["library_id"], session, "tabs", None, None, None, legacy)
        assert out["lyrics"] == "Streetlights flicker" and out["accompaniment"] is True  # the ## marks come off
        assert out["voice_id"] == voice and out["instrumental_id"] == inst and out["format"] == "wav"
        assert out["tabs"].selected == "cover" and out["accordion"].open is True
    finally:
        service.close()
