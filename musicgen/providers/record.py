"""One record per backend: its name and label, what it can do, how its client is made and from which environment,
how many of its songs run at once, and the hints for its errors. The studio, the CLI and the library read it.

A backend is one module in this package holding its `PROVIDER = Provider(...)`, plus one entry in
`providers/__init__.py`'s REGISTRY. Everything else (the Settings choice, the badge, the tab notes, refusals before
any call, the CLI's --provider, titles of error messages, file names, the library's list) follows from the record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from .. import config, errors
from ..progress import Chunk, ProgressFn
from ..requests import CoverPreprocessRequest, LyricsRequest, MusicRequest
from ..results import CoverAnalysis, LyricsResult, MusicResult
from ..transport import Transport

# feature -> (the Capabilities flag that offers it, how a message names it)
FEATURES: dict[str, tuple[str, str]] = {
    "song": ("song", "songs"),
    "instrumental": ("instrumental", "instrumentals"),
    "cover": ("cover", "covers"),
    "cover-preprocess": ("cover", "cover preprocessing"),
    "lyrics": ("lyrics_writing", "lyrics writing"),
    "auto-lyrics": ("auto_lyrics", "lyrics writing from the prompt (auto-lyrics)"),
    "stream": ("streaming", "live streaming"),
    "music01": ("music01", "the legacy music-01 model"),
}


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do. A feature it lacks is refused before any call, naming what to switch to."""

    song: bool = True
    instrumental: bool = True
    cover: bool = True
    lyrics_writing: bool = True
    auto_lyrics: bool = True
    streaming: bool = True  # False: a streamed request gets the song whole when it is done (no live player)
    music01: bool = False
    seed: bool = False  # takes a seed: the same seed and request give the same audio
    max_seconds: tuple[float, float] | None = None  # a length cap the visitor sets (its range in seconds), if any
    formats: tuple[str, ...] = config.FORMATS
    song_models: tuple[str, ...] = config.SONG_MODELS
    default_model: str = config.DEFAULT_SONG_MODEL

    def offers(self, feature: str) -> bool:
        """Whether the backend can do `feature` (a FEATURES key)."""
        return bool(getattr(self, FEATURES[feature][0]))


@dataclass(frozen=True)
class Access:
    """What a client is made from: the visitor's own key or server URL (empty: the server's, from its environment)
    and, for MiniMax, the region. Never shown: the key is left out of its repr."""

    key: str = field(default="", repr=False)
    base_url: str = ""
    region: str = ""


@dataclass(frozen=True)
class Health:
    """A backend's answer to "are you there?": ready or not, in words a visitor can act on."""

    ok: bool
    text: str


class Client(Protocol):
    """What the studio and the CLI use of a backend's client (MusicClient and AimlApiClient have it)."""

    provider: str
    transport: Transport  # the shared HTTP plumbing (musicgen/transport.py): its base_url, close()

    def generate(
        self,
        request: MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> MusicResult: ...

    def stream(
        self, request: MusicRequest, *, on_progress: ProgressFn | None = None, into: bytearray | None = None
    ) -> Iterator[Chunk | MusicResult]: ...

    def preprocess_cover(
        self, request: CoverPreprocessRequest | str | Path, *, on_progress: ProgressFn | None = None
    ) -> CoverAnalysis: ...

    def generate_lyrics(self, request: LyricsRequest, *, on_progress: ProgressFn | None = None) -> LyricsResult: ...

    def close(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Provider:
    """One backend, as every part of the project sees it."""

    name: str  # "minimax", "aimlapi", "demo": --provider, Session.backend, MusicResult.provider, the library
    label: str  # short: the Settings choice, the library list, the metadata card
    badge: str  # the badge at the top of the page and the CLI's first line ("AI/ML API proxy")
    can: Capabilities
    connect: Callable[[Access], Client]  # makes its client; the environment is read then, never at import
    credential: Literal["key", "url", "none"] = "key"  # what a visitor may bring (the server's is in key_env/url_env)
    key_env: str = ""  # the server-held key's variable
    url_env: str = ""  # the server-held host's variable
    concurrency_env: str = ""  # how many of its songs run at once (unset: default_concurrency)
    default_concurrency: int = 20
    hints: errors.Hints = field(
        default_factory=dict
    )  # what to do next, per error class, where the defaults speak of MiniMax
    stage_words: Mapping[str, str] = field(default_factory=dict)  # its own stages in words ("queued at the AI/ML API")
    notes: Mapping[str, str] = field(default_factory=dict)  # a word at the top of a tab ("song", ...) on it
    way_on: str = ""  # how a "ways on" list names it when another backend's door is closed; the label by default
    card_label: str = ""  # how a result's metadata card names it; the label by default
    file_slug: str = ""  # in result file names ("song-aimlapi-...mp3"); the name by default
    instead: str = ""  # the studio's advice when it lacks a feature; by default, the backends that have it
    health: Callable[[Access], Health] | None = None  # checked when a visitor picks it
    offered: Callable[[], bool] = _always  # whether Settings offers it now (e.g. only when it is configured)
    auto: bool = True  # picked without a choice when its credential is available (in REGISTRY order)
    title: Callable[[Access], str] | None = None  # the badge's head when it depends on access (MiniMax's region)

    def client(self, access: Access | None = None) -> Client:
        """A new client for this backend (the caller closes it)."""
        return self.connect(access or Access())

    def server_key(self) -> str:
        """The server-held key (read now), or ''."""
        return os.environ.get(self.key_env, "").strip() if self.key_env else ""

    def server_url(self) -> str:
        """The server-held host (read now), or ''."""
        return os.environ.get(self.url_env, "").strip() if self.url_env else ""

    def has_credentials(self, access: Access | None = None) -> bool:
        """Whether a call could be made: the visitor's own key/URL, else the server's; always for keyless ones."""
        access = access or Access()
        if self.credential == "key":
            return bool(access.key.strip() or self.server_key())
        if self.credential == "url":
            return bool(access.base_url.strip() or self.server_url())
        return True

    def server_held(self, access: Access | None = None) -> bool:
        """Whether a request with `access` goes out on the server's own key (or server URL) rather than the visitor's:
        what it spends is the server's. False for keyless backends like the demo engine, which cost nothing. (With
        no server key either, the call fails for want of a key; it is still not the visitor's own.)"""
        access = access or Access()
        if self.credential == "key":
            return not access.key.strip()
        if self.credential == "url":
            return not access.base_url.strip()
        return False

    def concurrency(self) -> int:
        """How many of its songs run side by side (its variable, else its default); the rest wait in line."""
        raw = os.environ.get(self.concurrency_env, "").strip() if self.concurrency_env else ""
        try:
            return max(1, int(raw)) if raw else self.default_concurrency
        except ValueError:
            raise ValueError(f"{self.concurrency_env} must be a whole number, not {raw!r}") from None

    def lacks(self, feature: str, others: Iterable[Provider] = ()) -> str:
        """Why it cannot do `feature` and what to use instead (among `others`, for the command line); '' when it can."""
        if self.can.offers(feature):
            return ""
        names = [f"--provider {p.name}" for p in others if p.name != self.name and p.can.offers(feature)]
        use = f": use {' or '.join(names)}" if names else ""
        return f"{self.badge} does not offer {FEATURES[feature][1]}{use}."

    def describe(self, access: Access | None = None) -> str:
        """The badge's head: its name (and, for MiniMax, the region)."""
        return self.title(access or Access()) if self.title else self.badge

    def stage_text(self, stage: str) -> str | None:
        """Its own words for a stage, if it has them."""
        return self.stage_words.get(stage)

    def slug(self) -> str:
        return self.file_slug or self.name
