"""What each button does, as plain methods: primitives and the visitor's Session in, values and file paths out.

They run without a browser (tests call them directly) and raise gr.Error with a message that says what to do
next. Using them from a script through gradio_client (the endpoint names and parameters are these methods'):

    from gradio_client import Client, handle_file
    c = Client("http://127.0.0.1:7860/")  # one Client = one session: the analysed reference is kept between calls

    # /song -> (live, song, download, metadata, info). song and download are the whole file (pcm comes as WAV),
    # metadata is a dict, info the HTML card; live is for the page (the live player's HTML while streaming).
    _, song, download, meta, _ = c.predict(
        prompt="Indie folk, melancholic", lyrics="[Verse]\\nStreetlights flicker\\n[Chorus]\\nPushing the wooden door",
        stream=False, api_name="/song")
    # Auto lyrics: no lyrics, lyrics_optimizer=True. Any parameter left out takes the form's default.
    _, song, download, meta, _ = c.predict(prompt="Cheerful jazz-pop", lyrics_optimizer=True, api_name="/song")
    # /instrumental -> (live, instrumental, download, metadata, info)
    _, track, download, meta, _ = c.predict(prompt="Lo-fi hip hop, rainy night", format="wav", api_name="/instrumental")
    # /lyrics -> (lyrics, title, style_tags); mode="write_full_song" (default) or "edit" (revise the given lyrics)
    lyrics, title, tags = c.predict(prompt="a summer road trip", api_name="/lyrics")
    # /cover_preprocess -> (cover_feature_id, lyrics, analysis, structure); audio=handle_file(...) or audio_url=...
    fid, ref_lyrics, analysis, _ = c.predict(audio=handle_file("reference.mp3"), api_name="/cover_preprocess")
    # /cover -> (live, cover, download, metadata, info). Two-step: edited lyrics (10-1000 characters) and the
    # analysed reference (cover_feature_id=fid, or left out to reuse this session's last analysis).
    _, cover, download, meta, _ = c.predict(
        prompt="Acoustic folk, warm female vocals", lyrics=ref_lyrics, cover_feature_id=fid, stream=False,
        api_name="/cover")
    # One-step cover, no lyric edits: send the reference itself (audio= or audio_url=) and no lyrics.
    _, cover, download, meta, _ = c.predict(
        prompt="Synthwave, dreamy", audio=handle_file("reference.mp3"), stream=False, api_name="/cover")

    # Takes: takes=2..4 on /song, /instrumental and /cover makes that many songs side by side (each counted as a
    # song). song and download are take A's (the first finished take if A failed); metadata["takes"] lists every
    # take's metadata, each with "take" ("A".."D") and "status" ("done", or "failed" with "error"). On
    # MiniMax-Music3 a given seed is take A's and B, C, D use seed+1, +2, +3; a blank seed draws one per take.
    _, song, download, meta, _ = c.predict(prompt="Lo-fi hip hop", takes=3, stream=False, api_name="/instrumental")

Scripts use the server's MINIMAX_API_KEY (or the demo engine when it has none); a visitor's key from the page is
never reachable through the API. Failures raise gradio_client.exceptions.AppError with the message and its title.

Every result is saved to the server's song library before it is returned (metadata["library_id"], or
metadata["library_warning"] when it could not be saved; the song is returned either way). A browser owns its songs
through a token kept in its localStorage; a script has no browser, so its songs belong to a token made for its
session (one Client) and never revealed. The library has no API endpoints: its events are private and act only on
the caller's own session, so no script can list, play, download, export or delete anyone's songs (its own included;
use the files returned here). See musicgen/ui/library_events.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr
from pydantic import ValidationError

from .. import config, providers
from ..audio import ReferenceError
from ..budget import HELPER
from ..errors import MusicGenError
from ..requests import SEED_MAX, LyricsRequest, MusicRequest, random_seed
from . import cards, generation, provider_notes, runner
from . import takes as takes_
from .errors import field_error, to_gr_error
from .gate import Gate
from .generation import Kept, Outputs, file_name, keep_result
from .live import LiveStreams
from .references import analysis_dict, cover_reference, preprocess_request
from .session import ClientFactory, Session, default_client_factory
from .slots import Line

if TYPE_CHECKING:
    from .library_service import LibraryService

FREE_MODEL_SLOTS = 3  # MiniMax runs at most 3 free-model songs at once per key (contract §10)
__all__ = ["FREE_MODEL_SLOTS", "Handlers", "Kept", "Outputs", "file_name", "keep_result"]


def _int(value: Any) -> Any:
    """Form values may arrive as strings; anything not a whole number is left for the request model to refuse."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class Handlers:
    """The studio's actions, bound to a client factory (which backend answers) and process-wide limits only."""

    def __init__(
        self, client_factory: ClientFactory | None = None, *, tick_s: float = 1.0, free_slots: int = FREE_MODEL_SLOTS
    ) -> None:
        self.client_factory = client_factory or default_client_factory
        self.library: LibraryService | None = None  # set by build_app: every result is saved there first
        self.gate = Gate()  # set by build_app: the access code and budgets on the server's keys (ui/gate.py)
        self.live: LiveStreams | None = None  # set by build_app: streamed songs play from there as they arrive
        self.tick_s = tick_s
        self.free_line = Line(free_slots)  # the server's key: free models' own limit
        self._slots: dict[str, Line] = {}  # per backend: its concurrency (providers record)
        self._slots_lock = threading.Lock()

    # -- endpoints -----------------------------------------------------------------------------------------------

    def song(
        self,
        prompt: str = "",
        lyrics: str = "",
        lyrics_optimizer: bool = False,
        model: str = "",
        format: str = "mp3",
        sample_rate: int = 44100,
        bitrate: int = 256000,
        stream: bool = True,
        seed: str | int | None = "",
        max_seconds: int = config.MUSIC3_DEFAULT_SECONDS,
        takes: int = config.DEFAULT_TAKES,
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> Iterator[Outputs]:
        """A song with vocals from a style prompt and lyrics (or lyrics_optimizer=True to have them written).

        seed and max_seconds count only on backends that take them (MiniMax-Music3): a blank seed is drawn at
        random and shown with the result. takes (1-4) makes that many songs side by side (see the module's doc)."""
        session = self.gate.visitor(session, req)
        n = takes_.count(takes)
        provider_notes.refuse(session, "song")
        if lyrics_optimizer:
            provider_notes.refuse(session, "auto-lyrics")  # before any call, naming the backend and what to do
        request = _build(
            lambda: MusicRequest.song(
                prompt or "",
                lyrics or "",
                lyrics_optimizer=bool(lyrics_optimizer),
                model=model or _default_model(session),
                **_delivery(format, sample_rate, bitrate, stream),
                **_take(session, format, seed, max_seconds),
            )
        )
        yield from self._generate("song", request, session, progress, takes=n, seed_given=_given(seed))

    def instrumental(
        self,
        prompt: str = "",
        model: str = "",
        format: str = "mp3",
        sample_rate: int = 44100,
        bitrate: int = 256000,
        stream: bool = True,
        seed: str | int | None = "",
        max_seconds: int = config.MUSIC3_DEFAULT_SECONDS,
        takes: int = config.DEFAULT_TAKES,
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> Iterator[Outputs]:
        """Music with no vocals from a prompt (1–2000 characters); seed, max_seconds and takes as for song."""
        session = self.gate.visitor(session, req)
        n = takes_.count(takes)
        provider_notes.refuse(session, "instrumental")
        take = _take(session, format, seed, max_seconds)
        request = _build(
            lambda: MusicRequest.instrumental(
                prompt or "",
                model=model or _default_model(session),
                **_delivery(format, sample_rate, bitrate, stream),
                **take,
            )
        )
        yield from self._generate("instrumental", request, session, progress, takes=n, seed_given=_given(seed))

    def cover_preprocess(
        self,
        audio: str | None = None,
        audio_url: str = "",
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> tuple[str, str, dict[str, Any], str]:
        """Analyse a reference (a file, or audio_url): its cover_feature_id, lyrics, structure and duration."""
        session = self.gate.visitor(session, req)
        provider_notes.refuse(session, "cover-preprocess")
        key, request = preprocess_request(audio, (audio_url or "").strip())
        analysis = session.recall(key)
        if analysis is None:
            progress(None, desc="Analysing the reference (up to a few minutes)")
            analysis = self._call(session, lambda client: client.preprocess_cover(request))
            session.remember(key, analysis)
        else:
            session.analysis = analysis
            gr.Info("This reference was analysed earlier in this session: reusing that analysis.")
        return (
            analysis.cover_feature_id,
            analysis.formatted_lyrics,  # shown as received; tag spellings are normalised when sent
            analysis_dict(analysis),
            cards.structure_timeline(analysis),
        )

    def cover(
        self,
        prompt: str = "",
        lyrics: str = "",
        model: str = "music-cover",
        cover_feature_id: str = "",
        audio: str | None = None,
        audio_url: str = "",
        format: str = "mp3",
        sample_rate: int = 44100,
        bitrate: int = 256000,
        stream: bool = True,
        takes: int = config.DEFAULT_TAKES,
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> Iterator[Outputs]:
        """A cover in a new style: of an analysed reference (cover_feature_id + lyrics), or one-step from audio;
        takes (1-4) as for song."""
        session = self.gate.visitor(session, req)
        n = takes_.count(takes)
        provider_notes.refuse(session, "cover")
        ref = cover_reference(session, (cover_feature_id or "").strip(), audio, (audio_url or "").strip())
        request = _build(
            lambda: MusicRequest.cover(
                prompt or "",
                model=model,
                lyrics=lyrics or None,
                **ref,
                **_delivery(format, sample_rate, bitrate, stream),
            )
        )
        yield from self._generate("cover", request, session, progress, takes=n)

    def lyrics(
        self,
        prompt: str = "",
        lyrics: str = "",
        mode: str = "write_full_song",
        title: str = "",
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> tuple[str, str, str]:
        """Write a song's lyrics from a prompt, or revise given lyrics (mode='edit'): (lyrics, title, style_tags)."""
        session = self.gate.visitor(session, req)
        provider_notes.refuse(session, "lyrics")
        request = _build(
            lambda: LyricsRequest(
                mode=mode, prompt=prompt or "", lyrics=(lyrics or "") if mode == "edit" else "", title=title or ""
            )
        )
        progress(None, desc="Writing lyrics")
        result = self._call(session, lambda client: client.generate_lyrics(request))
        if result.provider == providers.DEMO:
            gr.Info(f"Lyrics written by the demo engine. {providers.DEMO_LABEL}.")
        return result.lyrics, result.title or title or "", result.style_tags

    # -- plumbing --------------------------------------------------------------------------------------------------

    def _call(self, session: Session, fn: Callable[[Any], Any]) -> Any:
        """One short call (analysis, lyrics, a music-01 upload) with the visitor's client, through the gate;
        failures become gr.Error."""
        try:
            with self.gate.spend(session, HELPER), self.client_factory(session) as client:
                return fn(client)
        except (MusicGenError, ValidationError, ReferenceError) as exc:
            raise to_gr_error(exc, secret=session.secrets()) from None

    def slot(self, provider: str) -> Line:
        """The backend's line: at most its record's concurrency of its songs run at once, the rest wait their turn."""
        with self._slots_lock:
            if provider not in self._slots:
                self._slots[provider] = Line(providers.get(provider).concurrency())
            return self._slots[provider]

    def _generate(
        self,
        kind: str,
        request: Any,
        session: Session,
        progress: gr.Progress,
        *,
        job: runner.Job | None = None,
        params: dict[str, Any] | None = None,
        takes: int = 1,
        seed_given: bool = False,
    ) -> Iterator[Outputs]:
        """Every generating button ends here, music-01 included (`job`): one take through generation.one, several
        side by side through takes.run; both run each take through generation.attempt."""
        if takes > 1:
            yield from takes_.run(self, kind, request, session, progress, takes, seed_given=seed_given, job=job)
            return
        session.boards.pop(
            "cover" if kind == "music01" else kind, None
        )  # this panel shows a single take now (Stop and ★ no longer reach a board)
        if params is None:
            params = request.model_dump(exclude={"audio_base64"}, exclude_none=True)
        yield from generation.one(self, kind, request, session, progress, params, job=job)


def _default_model(session: Session | None) -> str:
    """A model left out (a script's call, say) is the visitor's backend's default."""
    return (session or Session()).record().can.default_model


def _given(seed: Any) -> bool:
    """Whether the visitor typed a seed (takes then count up from it) or left it blank (each draws its own)."""
    return bool(str(seed if seed is not None else "").strip())


def _delivery(format: str, sample_rate: Any, bitrate: Any, stream: Any) -> dict[str, Any]:
    return {
        "stream": bool(stream),
        "audio_setting": {"format": format, "sample_rate": _int(sample_rate), "bitrate": _int(bitrate)},
    }


def _take(session: Session | None, format: str, seed: Any, max_seconds: Any) -> dict[str, Any]:
    """Seed and length cap for a backend that takes them ({} for the others), checked before any call; a blank seed
    is drawn now, so that the library keeps the one used. A format the backend cannot give is refused here too."""
    record = (session or Session()).record()
    if format not in record.can.formats:
        raise field_error("format", f"{record.label} gives {' or '.join(record.can.formats)}, not {format}")
    out: dict[str, Any] = {}
    if record.can.seed:
        text = str(seed if seed is not None else "").strip()
        if not text:
            out["seed"] = random_seed()
        elif text.isdigit() and int(text) <= SEED_MAX:
            out["seed"] = int(text)
        else:
            raise field_error("seed", f"a whole number from 0 to {SEED_MAX}, or blank for a random one (not {text!r})")
    if record.can.max_seconds:
        out["max_seconds"] = _int(max_seconds)
    return out


def _build(make: Callable[[], Any]) -> Any:
    """Build a request model; invalid input becomes a gr.Error naming the field, before any call is made."""
    try:
        return make()
    except ValidationError as exc:
        raise to_gr_error(exc) from None
