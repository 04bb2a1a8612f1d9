"""The AI/ML API proxy: MiniMax's song models as tasks; songs from given lyrics and music-01 only, never streamed."""

from __future__ import annotations

from typing import Any

from .. import config
from ..aimlapi import HINTS, LYRICS_MAX, LYRICS_MIN, MODELS, PROMPT_MAX, PROMPT_MIN, AimlApiClient
from ..aimlapi.requests import DEFAULT_MODEL
from .record import Access, Capabilities, Provider

NAME = "aimlapi"
BADGE = "AI/ML API proxy"
# The proxy runs each song as a task: queued at the proxy, then generating, then completed.
STAGE_WORDS = {
    "sending": "Submitting the task to the AI/ML API",
    "queued": "Queued at the AI/ML API",
    "generating": "Generating on the AI/ML API — a song takes 30 s to 5 min",
    "completed": "Completed — fetching the song",
}


def aimlapi_client(api_key: str | None = None, base_url: str | None = None, **kw: Any) -> AimlApiClient:
    """A client for the AI/ML API proxy; the key and host fall back to AIMLAPI_KEY / AIMLAPI_BASE_URL when built."""
    return AimlApiClient(api_key or None, base_url or None, **kw)


def _connect(access: Access) -> AimlApiClient:
    return aimlapi_client(access.key or None)


PROVIDER = Provider(
    name=NAME,
    label="AI/ML API",
    badge=BADGE,
    can=Capabilities(
        instrumental=False,
        cover=False,
        lyrics_writing=False,
        auto_lyrics=False,
        streaming=False,
        music01=True,
        song_models=tuple(MODELS),
        default_model=DEFAULT_MODEL,
    ),
    connect=_connect,
    key_env=config.ENV_AIMLAPI_KEY,
    url_env=config.ENV_AIMLAPI_BASE_URL,
    hints=HINTS,
    stage_words=STAGE_WORDS,
    notes={
        "song": f"Through the AI/ML API: give your own lyrics ({LYRICS_MIN}–{LYRICS_MAX} characters) and a prompt of "
        f"{PROMPT_MIN}–{PROMPT_MAX} characters. The song arrives whole when its task completes (no live stream); "
        "writing lyrics needs MiniMax or the Demo engine (Settings tab)."
    },
    card_label="AI/ML API (MiniMax model)",
    instead="Switch the backend in the Settings tab to MiniMax or the Demo engine to use it.",
    way_on="the AI/ML API (MiniMax's song models, from your own lyrics; an AI/ML API key)",
)
