"""Helpers the studio's tests share: a client factory on the stand-in, a launched app, reference clips."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from musicgen.client import MusicClient
from musicgen.config import RetryPolicy
from musicgen.standin import StandIn
from musicgen.ui.session import Session

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
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
