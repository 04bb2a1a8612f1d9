"""Which backend answers: MiniMax itself, the AI/ML API proxy, or the offline demo engine speaking MiniMax's HTTP
contract locally.

The demo engine is the stand-in server with the demo renderer, started once per process on 127.0.0.1, so the very
same client code path runs with or without a key.
"""

from __future__ import annotations

import os
import threading

from . import config
from .aimlapi import AimlApiClient
from .client import MusicClient

DEMO = "demo"
MINIMAX = "minimax"
AIMLAPI = "aimlapi"
PROVIDERS = (MINIMAX, AIMLAPI, DEMO)
LABELS = {MINIMAX: "MiniMax", AIMLAPI: "AI/ML API", DEMO: "Demo engine"}
AIMLAPI_LABEL = "AI/ML API proxy"
DEMO_LABEL = config.DEMO_LABEL
DEMO_KEY = "demo-engine-local"  # the local server accepts any key; this one is not a secret

_lock = threading.Lock()
_demo_server = None


def demo_server():
    """The process's demo-engine server (started on first use)."""
    global _demo_server
    with _lock:
        if _demo_server is None:
            from .demo import DemoRenderer
            from .standin import StandIn

            _demo_server = StandIn(DemoRenderer(), chunk_bytes=16384).start()
        return _demo_server


def demo_client(**kw) -> MusicClient:
    """A client whose answers come from the local demo engine."""
    return MusicClient(api_key=DEMO_KEY, base_url=demo_server().url, provider=DEMO, **kw)


def minimax_client(api_key: str | None = None, region: str | None = None, **kw) -> MusicClient:
    """A client for MiniMax; the key and region fall back to MINIMAX_API_KEY / MINIMAX_BASE_URL."""
    base = config.REGIONS.get(region or "", None)
    return MusicClient(api_key=api_key or None, base_url=base, provider=MINIMAX, **kw)


def aimlapi_client(api_key: str | None = None, base_url: str | None = None, **kw) -> AimlApiClient:
    """A client for the AI/ML API proxy; the key and host fall back to AIMLAPI_KEY / AIMLAPI_BASE_URL when built."""
    return AimlApiClient(api_key or None, base_url or None, **kw)


def has_aimlapi_key(api_key: str | None = None) -> bool:
    """Whether an AI/ML API key is available: the one given, else AIMLAPI_KEY (read now, not at import)."""
    return bool((api_key or "").strip() or os.environ.get(config.ENV_AIMLAPI_KEY, "").strip())


def default_provider(api_key: str | None = None, aimlapi_key: str | None = None, *, server_keys: bool = True) -> str:
    """MiniMax when a MiniMax key is available, else the AI/ML API when one of its keys is, else the demo engine.

    `server_keys` False counts only the keys given (a visitor without the access code, musicgen/access.py)."""
    if server_keys:
        if config.ClientSettings.resolve(api_key or None).api_key:
            return MINIMAX
        return AIMLAPI if has_aimlapi_key(aimlapi_key) else DEMO
    return MINIMAX if (api_key or "").strip() else AIMLAPI if (aimlapi_key or "").strip() else DEMO
