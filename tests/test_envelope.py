"""The JSON answer's hex audio is decoded exactly, whatever the network chunking."""

import json

import pytest

from musicgen.envelope import read_envelope
from musicgen.errors import CorruptAudioError

AUDIO = bytes(range(256)) * 40


def body(audio_field: str, extra: str = "") -> bytes:
    return (
        '{"data": {"audio" : "' + audio_field + '", "status": 2}, "trace_id": "t1",'
        ' "extra_info": {"music_duration": 1000}' + extra + ', "base_resp": {"status_code": 0, "status_msg": "ok"}}'
    ).encode()


def chunked(data: bytes, size: int):
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 3, 7, 64, 4096, 10**9])
def test_hex_decoded_for_any_chunking(size):
    doc, audio = read_envelope(chunked(body(AUDIO.hex()), size))
    assert audio == AUDIO
    assert doc["data"]["audio"] == "" and doc["trace_id"] == "t1" and doc["extra_info"]["music_duration"] == 1000


def test_uppercase_hex_is_fine():
    assert read_envelope([body(AUDIO.hex().upper())])[1] == AUDIO


def test_url_is_left_in_the_json():
    doc, audio = read_envelope(chunked(body("https:\\/\\/cdn.example\\/a.mp3?x=1"), 5))
    assert audio is None and doc["data"]["audio"] == "https://cdn.example/a.mp3?x=1"


def test_error_envelope_without_data():
    doc, audio = read_envelope([b'{"base_resp": {"status_code": 1008, "status_msg": "insufficient balance"}}'])
    assert audio is None and doc["base_resp"]["status_code"] == 1008


def test_bad_hex_and_odd_hex_are_corrupt_audio():
    with pytest.raises(CorruptAudioError, match="not valid hex"):
        read_envelope([body("abcdzz00")])
    with pytest.raises(CorruptAudioError, match="odd"):
        read_envelope([body("abc")])


def test_body_cut_inside_the_audio_is_corrupt():
    with pytest.raises(CorruptAudioError, match="ended"):
        read_envelope([body(AUDIO.hex())[:500]])


def test_not_json_raises_json_error():
    with pytest.raises(json.JSONDecodeError):
        read_envelope([b"<html><body>502 Bad Gateway</body></html>"])
