"""music-3.0 on the MiniMax backend, the closed door (HTTP 404/410, 2061, 2153) in plain words with the ways on, and
MiniMax-compatible community servers (2013 naming the field to turn off), against the local stand-in."""

from __future__ import annotations

import io

import gradio as gr
import httpx
import pytest
import soundfile as sf
from ui_fixtures import LYRICS, StandInFactory, reset_standin, standin_fixture

from musicgen import MusicClient, MusicRequest, cli, config, errors, providers
from musicgen.config import RetryPolicy
from musicgen.requests import AudioSetting
from musicgen.standin import Fault
from musicgen.ui.errors import to_gr_error
from musicgen.ui.handlers import Handlers
from musicgen.ui.provider_events import models_for
from musicgen.ui.session import Session

pytestmark = pytest.mark.usefixtures("no_provider_env")
NO_RETRY = RetryPolicy(max_retries=0)


standin = standin_fixture()


@pytest.fixture
def stand(standin):
    return reset_standin(standin)


def sent(stand):
    return [r["json"] for r in stand.requests if r["path"] == "/v1/music_generation"]


# -- music-3.0 and music-3.0-free ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["music-3.0", "music-3.0-free"])
def test_music30_song_reaches_minimax_with_the_song_fields(stand, model):
    with MusicClient("k", stand.url, retry=NO_RETRY) as c:
        res = c.generate(MusicRequest.song("indie folk", LYRICS, model=model, audio_setting=AudioSetting(format="wav")))
    body = sent(stand)[-1]
    assert body["model"] == model and body["prompt"] == "indie folk" and body["lyrics"] == LYRICS
    assert not body.get("is_instrumental") and not body.get("lyrics_optimizer") and res.model == model
    assert sf.info(io.BytesIO(res.audio)).duration > 1


def test_music30_instrumental_and_auto_lyrics_follow_the_song_models_rules(stand):
    with MusicClient("k", stand.url, retry=NO_RETRY) as c:
        c.generate(MusicRequest.instrumental("lo-fi, mellow piano", model="music-3.0"))
        c.generate(MusicRequest.song("cheerful jazz-pop", "", lyrics_optimizer=True, model="music-3.0"))
    inst, auto = sent(stand)[-2:]
    assert inst["is_instrumental"] is True and "lyrics" not in inst and inst["model"] == "music-3.0"
    assert auto["lyrics_optimizer"] is True and "lyrics" not in auto
    with pytest.raises(ValueError, match="prompt must be 1–2000 characters for an instrumental"):
        MusicRequest.instrumental("", model="music-3.0")  # refused before any call, like music-2.6
    with pytest.raises(ValueError, match="lyrics must be 1–3500 characters"):
        MusicRequest.song("pop", "l" * 3501, model="music-3.0")


def test_the_studio_and_cli_default_to_music30_and_the_menu_follows_the_backend(stand, monkeypatch, tmp_path):
    factory = StandInFactory(stand)
    *_, (_, _, _, meta, _) = Handlers(factory, tick_s=0.05).song("pop", LYRICS, stream=False, session=Session())
    assert meta["model"] == "music-3.0" == sent(stand)[-1]["model"] == config.DEFAULT_SONG_MODEL
    monkeypatch.setenv("MINIMAX_API_KEY", "k")
    monkeypatch.setenv("MINIMAX_BASE_URL", stand.url)
    out = tmp_path / "beat.mp3"
    assert cli.main(["--quiet", "instrumental", "--prompt", "lo-fi", "--out", str(out)]) == 0
    assert sent(stand)[-1]["model"] == "music-3.0"
    (song_menu,) = models_for(providers.AIMLAPI, "music-3.0")  # the proxy has no music-3.0: its default instead
    assert song_menu["value"] == "music-2.6" and "music-3.0" not in song_menu["choices"]
    (back,) = models_for(providers.MINIMAX, "music-2.6")  # a choice the backend has is kept
    assert back["value"] == "music-2.6" and back["choices"][0] == "music-3.0"


# -- the closed door ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(kind="http", http_status=410, code=2153), 2153),
        (Fault(kind="code", code=2061), 2061),
        (Fault(kind="http", http_status=404), None),
    ],
)
def test_a_closed_door_says_so_in_plain_words_with_the_ways_on(stand, fault, code):
    stand.inject(fault)
    session = Session(backend=providers.MINIMAX)
    with pytest.raises(gr.Error) as err:
        list(Handlers(StandInFactory(stand), tick_s=0.05).song("pop", LYRICS, model="music-3.0", session=session))
    text = err.value.message
    assert err.value.title == "Model unavailable"
    assert "MiniMax does not offer music-3.0 to this account" in text and "closed to new accounts" in text
    assert "another model (music-2.6, in the Model menu)" in text
    assert "AI/ML API" in text and "Demo engine" in text and "Settings tab" in text
    assert (f"code {code}" in text) == (code is not None) and "trace id" in text


def test_a_closed_door_on_the_command_line_names_the_ways_on_as_flags(stand, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MINIMAX_API_KEY", "k")
    monkeypatch.setenv("MINIMAX_BASE_URL", stand.url)
    stand.inject(Fault(kind="http", http_status=410, code=2153))
    out = tmp_path / "song.mp3"
    assert cli.main(["--quiet", "song", "--prompt", "p", "--lyrics", LYRICS, "--out", str(out)]) == cli.EXIT_API
    err = capsys.readouterr().err
    assert "MiniMax does not offer music-3.0 to this account" in err and "--model" in err
    assert "--provider aimlapi" in err and "--provider demo" in err and "code 2153, HTTP 410" in err


def test_a_closed_door_for_library_users_carries_the_model_and_the_ways_on(stand):
    stand.inject(Fault(kind="http", http_status=410, code=2153), times=2)
    with MusicClient("k", stand.url, retry=NO_RETRY) as c:
        for call in (c.generate, lambda r: list(c.stream(r))):
            with pytest.raises(errors.ModelUnavailableError) as e:
                call(MusicRequest.song("pop", LYRICS, model="music-3.0"))
            assert e.value.model == "music-3.0" and e.value.code == 2153 and e.value.http_status == 410
            assert "AI/ML API" in e.value.hint and "MiniMax-Music3" in e.value.hint and "demo engine" in e.value.hint


# -- MiniMax-compatible community servers --------------------------------------------------------------------------


community = standin_fixture("community", community=True)


def test_a_community_server_works_through_the_minimax_backend_with_a_custom_host(community, monkeypatch):
    monkeypatch.setenv("MINIMAX_BASE_URL", community.url)
    monkeypatch.setenv("MINIMAX_API_KEY", "unused-by-this-server")
    session = Session(backend=providers.MINIMAX)
    assert "MiniMax (custom host)" in providers.get(providers.MINIMAX).describe(session.access())
    h = Handlers(tick_s=0.05)
    with pytest.raises(gr.Error) as err:  # the studio streams by default; this server refuses stream
        list(h.song("indie folk", LYRICS, model="music-3.0", stream=True, session=session))
    assert err.value.title == "Invalid parameters"
    assert "stream" in err.value.message and "turn off streaming" in err.value.message
    *_, (_, player, _, meta, _) = h.song(
        "indie folk", LYRICS, model="music-3.0", format="wav", stream=False, session=session
    )
    assert meta["model"] == "music-3.0" and sf.info(player).duration > 1


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"lyrics_optimizer": True, "lyrics": None}, "lyrics_optimizer"),
        ({"is_instrumental": True, "lyrics": None}, "is_instrumental"),
    ],
)
def test_a_community_servers_refusal_names_the_field_and_says_to_turn_it_off(community, fields, named):
    request = MusicRequest(model="music-3.0", prompt="cheerful jazz-pop", **fields)
    with MusicClient("k", community.url, retry=NO_RETRY) as c, pytest.raises(errors.InvalidParametersError) as e:
        c.generate(request)
    assert e.value.field == named and e.value.http_status == 400 and e.value.code == 2013
    assert f"refused {named}" in to_gr_error(e.value).message


def test_the_community_stand_in_takes_seed_and_length_and_answers_32khz_wav_by_default(community):
    body = {"model": "music-3.0", "prompt": "indie", "lyrics": LYRICS, "seed": 42, "max_new_tokens": 750}
    answer = httpx.post(f"{community.url}/v1/music_generation", json=body, timeout=60).json()
    assert answer["base_resp"]["status_code"] == 0
    info = sf.info(io.BytesIO(bytes.fromhex(answer["data"]["audio"])))
    assert (info.samplerate, info.channels, info.format) == (32000, 2, "WAV")
    refused = httpx.post(f"{community.url}/v1/music_generation", json={**body, "max_new_tokens": 99999}, timeout=60)
    assert refused.status_code == 400 and "max_new_tokens" in refused.json()["base_resp"]["status_msg"]
