"""Which backend answers, from one record per backend (record.py): MiniMax itself, the AI/ML API proxy, or the
offline demo engine speaking MiniMax's HTTP contract locally.

To add a backend: a module here with its `PROVIDER = Provider(...)` (and its client wherever it lives), and one
entry in REGISTRY below. Its position there is its rank for the automatic choice (the first whose credential is
available answers; the demo engine when none is).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import config
from . import aimlapi, demo, minimax, music3
from .aimlapi import aimlapi_client
from .demo import DEMO_KEY, demo_client, demo_server
from .minimax import minimax_client
from .record import FEATURES, Access, Capabilities, Client, Health, Provider

# A configured MiniMax-Music3 server ranks after MiniMax (an operator's key keeps answering as before) and before the
# AI/ML API: songs on one's own GPU cost nothing per song.
REGISTRY: dict[str, Provider] = {
    p.name: p for p in (minimax.PROVIDER, music3.PROVIDER, aimlapi.PROVIDER, demo.PROVIDER)
}

# Names kept for callers (and the README): the registry is the one home of what they say.
MINIMAX, AIMLAPI, DEMO, MUSIC3 = minimax.NAME, aimlapi.NAME, demo.NAME, music3.NAME
PROVIDERS = tuple(REGISTRY)
LABELS = {name: p.label for name, p in REGISTRY.items()}
AIMLAPI_LABEL = aimlapi.BADGE
DEMO_LABEL = config.DEMO_LABEL

__all__ = [
    "AIMLAPI", "AIMLAPI_LABEL", "DEMO", "DEMO_KEY", "DEMO_LABEL", "FEATURES", "LABELS", "MINIMAX", "MUSIC3", "PROVIDERS",
    "REGISTRY", "Access", "Capabilities", "Client", "Health", "Provider", "aimlapi_client", "choose", "default_provider",
    "demo_client", "demo_server", "get", "has_aimlapi_key", "minimax_client", "offered",
]  # fmt: skip


def get(name: str) -> Provider:
    """The record of backend `name`; an unknown name is a ValueError listing the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown provider {name!r}; use one of {', '.join(REGISTRY)}") from None


def offered() -> tuple[Provider, ...]:
    """The backends a visitor may pick now, in REGISTRY order."""
    return tuple(p for p in REGISTRY.values() if p.offered())


def choose(access: Callable[[str], Access], *, server_keys: bool = True) -> str:
    """The automatic choice: the first backend (REGISTRY order) whose credential is available, else the demo engine.

    `server_keys` False counts only what the visitor gave (a visitor without the access code, musicgen/access.py)."""
    for p in REGISTRY.values():
        if not (p.auto and p.offered()):
            continue
        given = access(p.name)
        if p.has_credentials(given) if server_keys else bool(given.key.strip() or given.base_url.strip()):
            return p.name
    return DEMO


def default_provider(api_key: str | None = None, aimlapi_key: str | None = None, *, server_keys: bool = True) -> str:
    """MiniMax when a MiniMax key is available, else the AI/ML API when one of its keys is, else the demo engine.

    `server_keys` False counts only the keys given (a visitor without the access code, musicgen/access.py)."""
    keys = {MINIMAX: api_key or "", AIMLAPI: aimlapi_key or ""}
    return choose(lambda name: Access(key=keys.get(name, "")), server_keys=server_keys)


def has_aimlapi_key(api_key: str | None = None) -> bool:
    """Whether an AI/ML API key is available: the one given, else AIMLAPI_KEY (read now, not at import)."""
    return REGISTRY[AIMLAPI].has_credentials(Access(key=api_key or ""))
