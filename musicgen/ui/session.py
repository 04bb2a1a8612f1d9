"""One visitor's server-side state (key, region, backend, analysed references) and how it picks a client."""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradio.utils import get_upload_folder

from .. import config, providers
from ..providers import Access, Client
from ..results import CoverAnalysis

ClientFactory = Callable[["Session"], Client]
FEATURE_TTL_S = 24 * 3600.0  # a cover_feature_id lives 24 h on MiniMax's side
FILES_TTL_S = 24 * 3600.0  # result folders of visitors whose session never closed (API scripts) go after a day
FILES_ROOT_NAME = "musicgen-studio"
REGION_LABELS = providers.minimax.REGION_LABELS


@dataclass
class Session:
    """Per-visitor state kept in gr.State: it stays on the server and is never sent to the browser."""

    id: str = ""  # set on first use: gr.State deep-copies one blank Session per visitor
    api_key: str = field(default="", repr=False)
    region: str = ""  # "" = the server's default (MINIMAX_BASE_URL, else global)
    backend: str = ""  # "" = automatic: MiniMax with a MiniMax key, else the AI/ML API with its key, else the demo
    aimlapi_key: str = field(default="", repr=False)  # the visitor's own AI/ML API key (else AIMLAPI_KEY)
    # Any other backend's visitor key and server URL, by provider name (MiniMax's and the AI/ML API's keys have the
    # named fields above, which scripts and tests set). A URL is kept only where the backend allows visitors one.
    keys: dict[str, str] = field(default_factory=dict, repr=False)
    urls: dict[str, str] = field(default_factory=dict)
    analyses: dict[str, tuple[CoverAnalysis, float]] = field(default_factory=dict, repr=False)
    analysis: CoverAnalysis | None = None  # the reference analysed last, reused for more covers
    # Song library (library_events.py): the owner token from the visitor's browser (made per session for scripts),
    # and the Song tab's title, saved with the song.
    owner_token: str = field(default="", repr=False)
    song_title: str = ""
    # The server's own keys (ui/gate.py): whether an access code is required and this visitor gave it (the code
    # itself is never kept), where its last request came from, and its songs left today on the server's key.
    code_required: bool = False
    access_granted: bool = False
    address: str = field(default="", repr=False)
    songs_left: tuple[int, int] | None = None  # (left, allowance); None: no budget
    # The showcase (ui/showcase_events.py): whether the owner code is set, and whether this visitor gave it.
    owner_code_set: bool = False
    is_owner: bool = False
    # Takes (ui/takes.py): each results panel's last takes board, by kind; Keep ★ reads its library ids from here.
    boards: dict[str, Any] = field(default_factory=dict, repr=False)

    def provider(self) -> str:
        """The name of the backend that answers this visitor (a providers.REGISTRY key)."""
        open_ = not self.code_required or self.access_granted  # else only the visitor's own keys, or the demo
        return self.backend or providers.choose(self.access, server_keys=open_)

    def record(self) -> providers.Provider:
        """The record of the backend that answers this visitor."""
        return providers.get(self.provider())

    def access(self, name: str | None = None) -> Access:
        """What this visitor gives backend `name` (default: theirs): their own key / server URL, and the region."""
        name = name or self.provider()
        own = {providers.MINIMAX: self.api_key, providers.AIMLAPI: self.aimlapi_key}
        key = own[name] if name in own else self.keys.get(name, "")
        region = self.region if name == providers.MINIMAX else ""
        return Access(key=key, base_url=self.urls.get(name, ""), region=region)

    def can_use(self, name: str) -> bool:
        """Whether backend `name` could answer this visitor now, as the automatic choice counts it: offered here, and
        keyless, or with their own key / server, or with the server's where no access code stands in the way."""
        record = providers.REGISTRY.get(name)
        if record is None or not record.offered():
            return False
        given = self.access(name)
        if record.credential == "none" or not self.code_required or self.access_granted:
            return record.has_credentials(given)
        return bool(given.key.strip() or given.base_url.strip())

    def server_held(self) -> bool:
        """Whether this visitor's requests are served on the server's own key or server (not their own)."""
        return self.record().server_held(self.access())

    def secrets(self) -> tuple[str, ...]:
        """The visitor's own keys, to scrub from any message shown (in case a server echoed one)."""
        return tuple(k for k in (self.api_key, self.aimlapi_key, *self.keys.values()) if k)

    def region_name(self) -> str:
        """'global', 'cn' or 'custom' (a MINIMAX_BASE_URL that is neither)."""
        return self.region or config.ClientSettings.resolve(None).region

    def key(self) -> str:
        """This visitor's random id (made on first use): it names their result folder and their live URLs."""
        if not self.id:
            self.id = uuid.uuid4().hex
            prune_files_now_and_then()
        return self.id

    def files_dir(self) -> Path:
        """This visitor's folder for result files (created on first use)."""
        path = files_root() / self.key()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def remember(self, key: str, analysis: CoverAnalysis, now: float | None = None) -> None:
        """Keep an analysis so the same reference is not uploaded and analysed again within its lifetime."""
        self.analyses[key] = (analysis, time.time() if now is None else now)
        self.analysis = analysis

    def recall(self, key: str, now: float | None = None) -> CoverAnalysis | None:
        """A still-valid analysis of this reference, if any."""
        hit = self.analyses.get(key)
        now = time.time() if now is None else now
        if hit is None or now - hit[1] > FEATURE_TTL_S - 600:  # keep a margin before the id expires
            self.analyses.pop(key, None)
            return None
        return hit[0]

    @staticmethod
    def cleanup(session: Session | None) -> None:
        """Delete the visitor's result files when Gradio drops the session."""
        if isinstance(session, Session) and session.id:
            shutil.rmtree(files_root() / session.id, ignore_errors=True)


def files_root() -> Path:
    """Where visitors' result files go: inside Gradio's cache folder, which it serves from as they are.

    Anywhere else Gradio copies each result into its cache before serving it, hashing the whole file on the way:
    two copies per song (player and download), the largest part of the studio's work for a 3-minute song. A result
    is reachable only by its path, which holds the visitor's random session id, as Gradio's own copies are
    reachable only by their content hash. Session.cleanup removes a folder when its visitor leaves, prune_files
    any folder a day old (Gradio's delete_cache removes only the copies it made itself).
    """
    return Path(get_upload_folder()) / FILES_ROOT_NAME


def prune_files(max_age_s: float = FILES_TTL_S, now: float | None = None) -> None:
    """Delete result folders untouched for `max_age_s` (Gradio's own cache is pruned by delete_cache)."""
    root = files_root()
    cutoff = (time.time() if now is None else now) - max_age_s
    for folder in root.glob("*") if root.is_dir() else ():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # another worker removed it first


_PRUNE_EVERY_S = 600.0
_last_prune = -_PRUNE_EVERY_S


def prune_files_now_and_then() -> None:
    """prune_files() at most every 10 minutes per process: it stats every visitor's folder, and new sessions come
    in bursts (ten visitors at once made it a few percent of the studio's CPU in benchmarks/bench_studio.py)."""
    global _last_prune
    now = time.monotonic()
    if now - _last_prune >= _PRUNE_EVERY_S:
        _last_prune = now
        prune_files()


def reference_key(data: bytes | None = None, url: str = "") -> str:
    """A key for a reference track: the digest of its bytes, or its URL."""
    return "sha256:" + hashlib.sha256(data).hexdigest() if data is not None else "url:" + url.strip()


def default_client_factory(session: Session) -> Client:
    """The visitor's backend's client, made from what they gave it (else the server's environment)."""
    return session.record().client(session.access())


def backend_label(session: Session) -> str:
    """The one-line backend description shown at the top of the page: the backend, and whose key it uses."""
    p, access = session.record(), session.access()
    head = p.describe(access)
    if p.credential == "none":
        return head
    if access.key or access.base_url:
        return head + (" · your key" if access.key else " · your server")
    if p.has_credentials(access):  # not the visitor's own: the server's
        return head + (" · server key" if p.credential == "key" else " · server's host") + _code_needed(session)
    return head + (" · no API key set" if p.credential == "key" else " · no server set")


def _code_needed(session: Session) -> str:
    return " (access code needed)" if session.code_required and not session.access_granted else ""
