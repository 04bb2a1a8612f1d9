"""The offline demo engine: the stand-in server with the demo renderer, started once per process on 127.0.0.1, so
the very same client code path runs with or without a key. Synthesized locally, not by MiniMax; no music-01."""

from __future__ import annotations

import threading
from typing import Any

from .. import config
from ..client import MusicClient
from .record import Capabilities, Provider

NAME = "demo"
DEMO_KEY = "demo-engine-local"  # the local server accepts any key; this one is not a secret

_lock = threading.Lock()
_demo_server = None


def demo_server() -> Any:
    """The process's demo-engine server (started on first use)."""
    global _demo_server
    with _lock:
        if _demo_server is None:
            from ..demo import DemoRenderer
            from ..standin import StandIn

            _demo_server = StandIn(DemoRenderer(), chunk_bytes=16384).start()
        return _demo_server


def demo_client(**kw: Any) -> MusicClient:
    """A client whose answers come from the local demo engine."""
    return MusicClient(api_key=DEMO_KEY, base_url=demo_server().url, provider=NAME, **kw)


PROVIDER = Provider(
    name=NAME,
    label="Demo engine",
    badge="Demo engine — synthesized locally, not by MiniMax",
    can=Capabilities(),
    connect=lambda access: demo_client(),
    credential="none",
    file_slug="demo-engine",
    instead="It needs a MiniMax key (or an AI/ML API key): add one in the Settings tab and pick that backend.",
    auto=False,  # the fallback when nothing else is configured
    way_on="the Demo engine (no key; synthesized locally, not by MiniMax)",
)
LABEL = config.DEMO_LABEL
