"""Which backend a share link may switch a visitor to: the one they could pick in Settings themselves, counted as
the automatic choice counts it (the server's key only where no access code stands in the way); else what differs."""

from __future__ import annotations

import pytest

from musicgen import providers
from musicgen.recipe import Recipe
from musicgen.ui.recipe_events import differences
from musicgen.ui.session import Session

pytestmark = pytest.mark.usefixtures("no_provider_env")


def test_the_demo_engine_is_always_usable_and_an_unconfigured_or_unknown_backend_never():
    assert Session().can_use(providers.DEMO) and Session(code_required=True).can_use(providers.DEMO)
    assert not Session().can_use(providers.MUSIC3)  # not offered: MUSIC3_BASE_URL is not set
    assert not Session().can_use("evil")


def test_a_keyed_backend_needs_the_visitors_key_or_the_servers_where_the_visitor_may_use_it(monkeypatch):
    assert not Session().can_use(providers.MINIMAX) and not Session().can_use(providers.AIMLAPI)
    assert Session(api_key="visitor-key").can_use(providers.MINIMAX)
    assert Session(aimlapi_key="visitor-key").can_use(providers.AIMLAPI)
    monkeypatch.setenv("MINIMAX_API_KEY", "server-key")
    assert Session().can_use(providers.MINIMAX)
    # Behind an access code the studio's key is not this visitor's to switch to until they give the code.
    assert not Session(code_required=True).can_use(providers.MINIMAX)
    assert Session(code_required=True, access_granted=True).can_use(providers.MINIMAX)
    assert Session(code_required=True, api_key="own").can_use(providers.MINIMAX)


def test_what_differs_on_another_backend_is_said_in_words():
    music3 = Recipe(
        kind="song", backend="music3", model="MiniMaxAI/MiniMax-Music3", lyrics="la", seed=7, max_seconds=30
    )
    assert differences(music3, providers.get(providers.DEMO)) == [
        "model MiniMaxAI/MiniMax-Music3 is not offered, music-3.0 is picked instead",
        "the seed (7) is not used",
        "the length cap (30 s) is not used",
    ]
    cover = Recipe(
        kind="cover", backend="minimax", model="music-cover", prompt="acoustic folk", audio_url="https://x/a.mp3"
    )
    assert differences(cover, providers.get(providers.AIMLAPI)) == ["AI/ML API proxy does not offer covers"]
    same = Recipe(kind="song", backend="demo", model="music-2.6", lyrics="la")
    assert differences(same, providers.get(providers.MINIMAX)) == []
