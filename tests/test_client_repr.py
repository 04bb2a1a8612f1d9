"""Every client (MiniMax, AI/ML API, Music 3) closes its pool after a with-block and never shows its key in a repr."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from musicgen.aimlapi.client import AimlApiClient
from musicgen.client import MusicClient
from musicgen.music3.client import Music3Client
from musicgen.transport import TransportClient

SECRET = "sk-repr-never-shows-this"
URL = "http://127.0.0.1:9"  # nothing is sent: building, printing and closing a client make no request
CLIENTS: dict[str, Callable[[str], TransportClient]] = {
    "minimax": lambda key: MusicClient(api_key=key, base_url=URL),
    "aimlapi": lambda key: AimlApiClient(api_key=key, base_url=URL),
    "music3": lambda key: Music3Client(URL, api_key=key),
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_repr_names_the_client_and_url_and_says_whether_a_key_is_set_never_the_key(name):
    with CLIENTS[name](SECRET) as client:
        text = repr(client)
        assert SECRET not in text and "sk-" not in text
        assert text.startswith(f"{type(client).__name__}(base_url='{URL}'") and text.endswith("key=set)")
    assert repr(CLIENTS[name]("")).endswith("key=unset)")


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_leaving_the_with_block_closes_the_connection_pool(name):
    with CLIENTS[name](SECRET) as client:
        assert not client.transport.is_closed
    assert client.transport.is_closed


def test_the_music3_repr_also_names_the_model():
    with Music3Client(URL, model="MiniMaxAI/MiniMax-Music3") as client:
        assert repr(client) == f"Music3Client(base_url='{URL}', model='MiniMaxAI/MiniMax-Music3', key=unset)"
