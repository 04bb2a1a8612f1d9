"""Every stand-in refuses a request body it would not read (too large, or a Content-Length that is no number) with
its own server's answer, before reading it, and closes the connection so the unread bytes are never taken for the
next request. The one rule lives in loopback.TrackedHandler._read_body; these tests hold each stand-in to it."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from musicgen.aimlapi.standin import ProxyStandIn
from musicgen.loopback import LoopbackServer
from musicgen.music3.standin import Music3StandIn
from musicgen.standin import StandIn

# (the stand-in, a POST route of its API, a word its refusal carries)
STANDINS: dict[str, tuple[Callable[[], LoopbackServer], str, str]] = {
    "minimax": (StandIn, "/v1/music_generation", "too large"),
    "aimlapi": (ProxyStandIn, "/v2/generate/audio", "too large"),
    "music3": (Music3StandIn, "/v1/audio/speech", "too large"),
}


def post_headers(url: str, path: str, headers: dict[str, str]) -> tuple[int, str, str | None]:
    """POST with these headers and no body at all; (status, body text, the Connection header)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("POST", path)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode(), resp.getheader("Connection")
    finally:
        conn.close()


@pytest.mark.parametrize("name", sorted(STANDINS))
def test_a_body_over_the_limit_is_refused_unread_and_the_connection_closed(name):
    make, path, word = STANDINS[name]
    with make() as server:
        limit = server.handler_class.max_body_bytes
        status, text, connection = post_headers(server.url, path, {"Content-Length": str(limit + 1)})
        assert status == 413 and word in text and connection == "close"
        assert server.requests == []  # refused before anything was read or logged


@pytest.mark.parametrize("name", sorted(STANDINS))
def test_a_content_length_that_is_no_number_is_refused(name):
    make, path, _ = STANDINS[name]
    with make() as server:
        status, _, connection = post_headers(server.url, path, {"Content-Length": "lots"})
        assert status == (400 if name == "minimax" else 413) and connection == "close"


def test_the_minimax_standin_wants_a_length_not_a_chunked_body():
    with StandIn() as server:
        status, text, connection = post_headers(server.url, "/v1/music_generation", {"Transfer-Encoding": "chunked"})
        assert status == 411 and "length required" in text and connection == "close"


TWO_MIB = 2 * 1024 * 1024  # MiniMax's and the proxy's contracts take uploads of tens of MB; Music 3 takes only JSON


@pytest.mark.parametrize("name", ["minimax", "aimlapi"])
def test_the_upload_contracts_take_a_body_of_megabytes(name):
    make, path, _ = STANDINS[name]
    with make() as server:
        parts = urlsplit(server.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("POST", path, body=b"{" + b" " * TWO_MIB + b"}")
            assert conn.getresponse().status != 413  # read and answered (as a bad request, not as too large)
        finally:
            conn.close()


def test_music3_refuses_the_same_body_unread():
    make, path, word = STANDINS["music3"]
    with make() as server:
        status, text, _ = post_headers(server.url, path, {"Content-Length": str(TWO_MIB + 2)})
        assert status == 413 and word in text
