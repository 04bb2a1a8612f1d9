"""Legacy music-01: the request rules, the local file checks, upload (multipart) and generation, direct and proxied."""

import io

import pytest
import soundfile as sf
from pydantic import ValidationError

from musicgen import AuthenticationError, InvalidParametersError, ModelUnavailableError, MusicClient
from musicgen.aimlapi import AimlApiClient
from musicgen.aimlapi.standin import ProxyStandIn, tone
from musicgen.audio import ReferenceError
from musicgen.legacy import (
    RETIRED_HINT,
    Music01Request,
    check_upload_file,
    generate_music01,
    upload_reference,
    with_accompaniment,
)
from musicgen.requests import AudioSetting

# Every key and host these tests use is their own: none from the developer's shell or another test.
pytestmark = pytest.mark.usefixtures("no_provider_env")

SECRET = "legacy-very-secret-key-789"
VOICE, INST = "vocal-2025010100000000-a0AAAaaa", "instrumental-2025010100000000-Aaa0aAaA"


@pytest.fixture
def server():
    with ProxyStandIn(api_key=SECRET, audio_s=1.0) as s:
        yield s


@pytest.fixture(params=["minimax", "aimlapi"])
def client(request, server):
    """The same calls on both roads: MiniMax's host (the stand-in's /v1 routes) and the proxy's."""
    cls = MusicClient if request.param == "minimax" else AimlApiClient
    with cls(SECRET, server.url) as c:
        yield c


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "reference.wav"
    path.write_bytes(tone(12.0, "wav", 8000, 1))
    return path


# -- request rules --------------------------------------------------------------------------------------------------


def test_request_needs_a_reference_id():
    with pytest.raises(ValidationError, match="at least one of refer_voice or refer_instrumental"):
        Music01Request(lyrics="la la la")
    assert Music01Request(lyrics="la", refer_voice=VOICE).payload() == {
        "model": "music-01",
        "lyrics": "la",
        "refer_voice": VOICE,
        "audio_setting": {"sample_rate": 44100, "bitrate": 256000, "format": "mp3"},
    }
    assert Music01Request(lyrics="la", refer_instrumental=INST).refer_voice is None


@pytest.mark.parametrize(("lyrics", "ok"), [("l" * 200, True), ("l" * 201, False), ("", False), ("  \n", False)])
def test_lyrics_are_required_and_at_most_200_characters(lyrics, ok):
    if ok:
        assert Music01Request(lyrics=lyrics, refer_voice=VOICE).lyrics == lyrics
    else:
        with pytest.raises(ValidationError, match=r"lyrics (is required|must be at most 200)"):
            Music01Request(lyrics=lyrics, refer_voice=VOICE)


def test_refer_vocal_needs_voice_and_instrumental():
    with pytest.raises(ValidationError, match="refer_vocal needs refer_voice, refer_instrumental and lyrics"):
        Music01Request(lyrics="la", refer_voice=VOICE, refer_vocal="my-cloned-voice")
    req = Music01Request(lyrics="la", refer_voice=VOICE, refer_instrumental=INST, refer_vocal="my-cloned-voice")
    assert req.payload()["refer_vocal"] == "my-cloned-voice"
    with pytest.raises(ValidationError):
        Music01Request(lyrics="la", refer_voice=VOICE, prompt="not a music-01 field")


def test_accompaniment_marks_wrap_the_lyrics_once():
    assert with_accompaniment("la la\nla") == "##la la\nla##"
    assert with_accompaniment(with_accompaniment("la")) == "##la##"


# -- the local file checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "fmt", "ok"), [(9.5, "wav", False), (10.5, "wav", True), (11, "mp3", True), (601, "wav", False)]
)
def test_reference_must_be_wav_or_mp3_of_10_s_to_10_min(tmp_path, seconds, fmt, ok):
    path = tmp_path / f"ref.{fmt}"
    path.write_bytes(tone(seconds, fmt, 2000 if seconds > 100 else 8000, 1))
    if ok:
        data, mime = check_upload_file(path)
        assert data == path.read_bytes() and mime == {"wav": "audio/wav", "mp3": "audio/mpeg"}[fmt]
    else:
        with pytest.raises(ReferenceError, match="must be 10 s – 10 min"):
            check_upload_file(path)


def test_reference_in_another_format_or_missing_is_refused(tmp_path):
    flac = tmp_path / "ref.flac"
    buf = io.BytesIO()
    sf.write(buf, [0.0] * 8000 * 12, 8000, format="FLAC")
    flac.write_bytes(buf.getvalue())
    with pytest.raises(ReferenceError, match="is FLAC; music-01 takes wav or mp3"):
        check_upload_file(flac)
    with pytest.raises(ReferenceError, match="not found"):
        check_upload_file(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(ReferenceError, match="could not be decoded"):
        check_upload_file(tmp_path / "text.wav")


# -- upload and generate, on both roads ------------------------------------------------------------------------------


def test_upload_sends_a_multipart_form_with_purpose_and_file(client, server, reference):
    up = upload_reference(client, reference, "song")
    assert up.voice_id.startswith("vocal-") and up.instrumental_id.startswith("instrumental-") and up.trace_id
    sent = server.requests[-1]
    expected = "/v2/generate/audio/minimax/upload" if client.provider == "aimlapi" else "/v1/music_upload"
    assert sent["path"] == expected and sent["method"] == "POST"
    assert sent["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert sent["headers"]["authorization"] == f"Bearer {SECRET}"
    received = server.uploads[-1]
    assert (received.purpose, received.filename, received.content_type) == ("song", "reference.wav", "audio/wav")
    assert received.size == reference.stat().st_size and received.duration_s == pytest.approx(12.0)


@pytest.mark.parametrize(("purpose", "voice", "inst"), [("voice", True, False), ("instrumental", False, True)])
def test_upload_purpose_decides_which_ids_come_back(client, reference, purpose, voice, inst):
    up = upload_reference(client, reference, purpose)
    assert (up.voice_id is not None, up.instrumental_id is not None) == (voice, inst) and up.purpose == purpose


def test_bad_purpose_is_refused_before_any_call(client, server, reference):
    with pytest.raises(ValueError, match="purpose must be one of song, voice, instrumental"):
        upload_reference(client, reference, "vocals")
    assert server.requests == []


def test_generate_decodes_the_hex_song(client, server, reference):
    up = upload_reference(client, reference)
    stages = []
    req = Music01Request(
        lyrics=with_accompaniment("Side by side, through thick and thin"),
        refer_voice=up.voice_id,
        refer_instrumental=up.instrumental_id,
        audio_setting=AudioSetting(format="wav", sample_rate=24000),
    )
    res = generate_music01(client, req, on_progress=lambda p: stages.append(p.stage))
    data, rate = sf.read(io.BytesIO(res.audio))
    assert rate == 24000 and res.duration_s == pytest.approx(1.0, abs=0.05) and res.format == "wav"
    assert res.model == "music-01" and res.provider == client.provider and res.trace_id
    assert res.extra == {"refer_voice": up.voice_id, "refer_instrumental": up.instrumental_id}
    sent = server.requests[-1]
    expected = "/v2/generate/audio/minimax/generate" if client.provider == "aimlapi" else "/v1/music_generation"
    assert sent["path"] == expected and sent["json"] == req.payload()
    assert stages[0] == "sending" and stages[-1] == "done"


def test_unknown_reference_id_is_rejected_by_the_service(client):
    with pytest.raises(InvalidParametersError, match="not an uploaded id") as err:
        generate_music01(client, Music01Request(lyrics="la la", refer_voice=VOICE))
    assert ("AI/ML API" if client.provider == "aimlapi" else "MiniMax") in err.value.hint


def test_retired_model_says_so(client, server, reference):
    up = upload_reference(client, reference, "voice")
    server.music01_retired = True
    with pytest.raises(ModelUnavailableError) as err:
        generate_music01(client, Music01Request(lyrics="la la", refer_voice=up.voice_id))
    assert err.value.hint == RETIRED_HINT and "music-2.6" in str(err.value)


def test_wrong_key_is_an_authentication_error_without_the_key(server, reference):
    for cls in (MusicClient, AimlApiClient):
        with cls("wrong-" + SECRET, server.url) as c:
            with pytest.raises(AuthenticationError) as err:
                upload_reference(c, reference)
            assert SECRET not in str(err.value) and SECRET not in repr(c)
