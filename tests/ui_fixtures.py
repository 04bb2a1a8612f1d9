"""Helpers the studio's tests share: a stand-in per module, client factories on it, a launched studio (built and
served on loopback, its library closed afterwards), a gradio_client on it, reference clips, headless Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from musicgen.client import MusicClient
from musicgen.config import RetryPolicy
from musicgen.standin import StandIn
from musicgen.ui.session import Session

# Every backend's key/host that would take the studio off the demo engine: `studio(env=KEYLESS)` removes them.
KEYLESS: dict[str, str | None] = dict.fromkeys(("MINIMAX_API_KEY", "AIMLAPI_KEY", "MUSIC3_BASE_URL"))
LYRICS = "[Verse]\nStreetlights flicker, the night breeze sighs\nShadows stretch as I walk alone\n[Chorus]\nPushing the wooden door"


class StandInFactory:
    """Clients on the stand-in, labelled with the provider the visitor's session picked; remembers each client."""

    def __init__(self, standin: StandIn, retries: int = 0) -> None:
        self.standin = standin
        self.retries = retries  # no client-side retry by default, so an injected fault surfaces at once
        self.clients: list[MusicClient] = []

    def __call__(self, session: Session) -> MusicClient:
        client = MusicClient(
            api_key=session.api_key or "k",
            base_url=self.standin.url,
            provider=session.provider(),
            retry=RetryPolicy(max_retries=self.retries),
        )
        self.clients.append(client)
        return client


class ServerKeyFactory:
    """The server's MiniMax key (MINIMAX_API_KEY) goes to the stand-in; the demo engine stays the real, local one."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin

    def __call__(self, session: Session) -> MusicClient:
        from musicgen import providers

        if session.provider() == providers.DEMO:
            return providers.demo_client()
        key = session.api_key or os.environ["MINIMAX_API_KEY"]
        return MusicClient(api_key=key, base_url=self.standin.url, provider=session.provider(), retry=RetryPolicy(0))


def standin_fixture(name: str = "standin", scope: str = "module", **settings: Any) -> Callable[..., Any]:
    """A fixture `name` serving StandIn(**settings) for the module (or `scope`), stopped afterwards.

    In a test module: `standin = standin_fixture(latency_s=0.0)`.
    """

    @pytest.fixture(scope=scope, name=name)
    def serve() -> Iterator[StandIn]:
        with StandIn(**settings) as server:
            yield server

    return serve


def reset_standin(standin: StandIn, **settings: Any) -> StandIn:
    """The module's stand-in with no queued faults or logged requests, answering fast unless `settings` say otherwise
    (reset() keeps the settings a test before changed, so each one is set here)."""
    standin.reset()
    standin.configure(**{"chunk_bytes": 32768, "chunk_interval_s": 0.0, "latency_s": 0.0, **settings})
    return standin


def api_client(url: str, folder: Path, **options: Any) -> Any:
    """A gradio_client on a launched studio, downloading into `folder`, no analytics."""
    from gradio_client import Client

    return Client(url, verbose=False, download_files=str(folder), analytics_enabled=False, **options)


@contextlib.contextmanager
def serve_studio(
    factory: Callable[[Session], Any] | None = None,
    *,
    data: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    **build: Any,
) -> Iterator[tuple[Any, str]]:
    """Build the studio (on `factory`'s clients, or the backends the environment picks), launch it, yield (demo, url).

    `data`: a folder for its song Library, closed afterwards. `env`: variables set (None: removed) while it is built
    and runs. `build`: the rest of build_app's arguments (concurrency, gate, showcase).
    """
    from musicgen.library import Library
    from musicgen.ui import build_app

    with pytest.MonkeyPatch.context() as mp:
        for name, value in (env or {}).items():
            if value is None:
                mp.delenv(name, raising=False)
            else:
                mp.setenv(name, value)
        library = None if data is None else Library(data)
        try:
            demo = build_app(factory, library=library, **build)
            with launched(demo) as url:
                yield demo, url
        finally:
            if library is not None:
                library.close()


def free_port() -> int:
    """A port nobody listens on right now (server_port=0 does not work with Gradio)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def launched(demo, **extra) -> Iterator[str]:
    """Serve a built studio on loopback the way app.py does, yield its URL, close it afterwards."""
    from musicgen.ui import launch_options

    port = free_port()
    demo.queue(default_concurrency_limit=4).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        show_error=True,
        **{**launch_options(demo), **extra},
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def write_reference(path: Path, seconds: float = 8.0, rate: int = 22050) -> Path:
    """A short two-chord WAV that passes the reference checks (6 s – 6 min)."""
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.2 * np.sin(2 * np.pi * np.where(t < seconds / 2, 220.0, 330.0) * t)
    sf.write(path, tone.astype("float32"), rate)
    return path


# -- headless Chromium (Debian's package, driven by Playwright) ----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]
STUDIO_READY = "#song-prompt textarea"  # the Song form's prompt: the studio's page is built and wired


def open_studio(opener: Any, url: str, *, timeout_ms: float | None = None, **page_options: Any) -> Any:
    """A new page (from a Browser or a BrowserContext, with `page_options`) on the studio at `url`, once its Song form
    is there; `timeout_ms` is the page's default timeout (Playwright's 30 s when not given)."""
    page = opener.new_page(**page_options)
    if timeout_ms is not None:
        page.set_default_timeout(timeout_ms)
    page.goto(url)
    page.locator(STUDIO_READY).wait_for(timeout=20_000)
    return page


LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
