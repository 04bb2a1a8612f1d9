"""SSE framing helpers: event bytes, piece regrouping and the three terminal-frame shapes."""

from __future__ import annotations

import json

import pytest

from musicgen.standin.streaming import rechunk, slices, sse_comment, sse_data, status_frames, terminal_event


def test_event_bytes():
    assert sse_data({"a": 1}) == b'data: {"a":1}\n\n'
    assert sse_data("[DONE]", crlf=True) == b"data: [DONE]\r\n\r\n"
    assert sse_comment() == b": keep-alive\n\n"
    event = terminal_event("ab", {"music_size": 1}, "t")
    assert event["data"] == {"audio": "ab", "status": 2} and event["base_resp"]["status_code"] == 0
    assert "\n" not in json.dumps(event)


def test_rechunk_flushes_the_first_piece_then_regroups():
    pieces = list(rechunk([b"ab", b"cdefg", b"hij", b"k"], 4))
    assert pieces == [b"ab", b"cdef", b"ghij", b"k"]
    assert list(slices(b"abcdefg", 3)) == [b"abc", b"def", b"g"]


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("aggregate", [(1, b"A"), (1, b"B"), (1, b"C"), (2, b"ABC")]),
        ("tail", [(1, b"A"), (1, b"B"), (2, b"C")]),
        ("empty", [(1, b"A"), (1, b"B"), (1, b"C"), (2, b"")]),
    ],
)
def test_status_frames(shape, expected):
    assert list(status_frames(iter([b"A", b"B", b"C"]), shape)) == expected


def test_status_frames_of_an_empty_source_and_bad_shape():
    assert list(status_frames(iter([]), "tail")) == [(2, b"")]
    with pytest.raises(ValueError):
        list(status_frames(iter([]), "whole"))
