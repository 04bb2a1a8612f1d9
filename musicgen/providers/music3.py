"""MiniMax-Music3 on your own GPU: a sglang-omni server (MUSIC3_BASE_URL) making songs and instrumentals, with a seed
and a length cap; no covers, lyrics writing, auto-lyrics or live stream. Offered when configured, or when visitors
may bring their own server (MUSICGEN_ALLOW_VISITOR_SERVERS=1, never on a Space). The model's licence asks that the
name "MiniMax-Music3" shows wherever the backend is named."""

from __future__ import annotations

from .. import config
from ..errors import MusicGenError
from ..music3 import HINTS, Music3Client, configured_url, visitor_servers_allowed
from .record import Access, Capabilities, Health, Provider

NAME = "music3"
LABEL = f"{config.MUSIC3_LABEL} (self-hosted)"
STAGE_WORDS = {
    "queued": f"Waiting for a place on the {config.MUSIC3_LABEL} server",
    "sending": f"Sending to the {config.MUSIC3_LABEL} server",
    "waiting": f"Composing on the {config.MUSIC3_LABEL} server — nothing arrives until the song is done",
}


def music3_client(base_url: str | None = None, api_key: str | None = None) -> Music3Client:
    """A client for the MiniMax-Music3 server; URL, key and model fall back to MUSIC3_* when built."""
    return Music3Client(base_url or None, api_key or None)


def _connect(access: Access) -> Music3Client:
    return music3_client(access.base_url, access.key)


def _health(access: Access) -> Health:
    try:
        with _connect(access) as client:
            said = client.health()
    except (MusicGenError, ValueError) as exc:  # no server configured, or a URL that is not http(s)://host
        return Health(False, str(exc))
    return Health(said.ok, said.message)


def _offered() -> bool:
    return bool(configured_url()) or visitor_servers_allowed()


PROVIDER = Provider(
    name=NAME,
    label=LABEL,
    badge=LABEL,
    can=Capabilities(
        cover=False,
        lyrics_writing=False,
        auto_lyrics=False,
        streaming=False,
        seed=True,
        max_seconds=(config.MUSIC3_MIN_SECONDS, config.MUSIC3_MAX_SECONDS),
        formats=("wav", "mp3"),
        song_models=(config.MUSIC3_MODEL,),
        default_model=config.MUSIC3_MODEL,
    ),
    connect=_connect,
    credential="url",
    key_env=config.ENV_MUSIC3_API_KEY,
    url_env=config.ENV_MUSIC3_BASE_URL,
    concurrency_env=config.ENV_MUSIC3_CONCURRENCY,
    default_concurrency=config.MUSIC3_CONCURRENCY,
    hints=HINTS,
    stage_words=STAGE_WORDS,
    notes={
        "song": f"On {config.MUSIC3_LABEL}: the prompt is the caption (genre, instruments, 'at 92 BPM', mood, "
        "vocal) and the lyrics are sung; put each tag ([Verse], [Chorus]) on its own line. Seed and Length are "
        "below; the song arrives whole when it is done (no live stream).",
        "instrumental": f"On {config.MUSIC3_LABEL}: the prompt is the caption; 'no vocals' is added for you. Seed "
        "and Length are below.",
    },
    card_label=LABEL,
    way_on=f"{config.MUSIC3_LABEL} on your own GPU (an sglang-omni server: {config.ENV_MUSIC3_BASE_URL})",
    file_slug=config.MUSIC3_LABEL,  # in file names too, as the licence asks
    health=_health,
    offered=_offered,
)
