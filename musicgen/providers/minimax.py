"""MiniMax's own Music API (api.minimax.io, or api.minimaxi.com for mainland-China keys): everything, streamed."""

from __future__ import annotations

from typing import Any

from .. import config
from ..client import MusicClient
from .record import Access, Capabilities, Provider

NAME = "minimax"
REGION_LABELS = {"global": "global", "cn": "mainland China", "custom": "custom host"}


def minimax_client(api_key: str | None = None, region: str | None = None, **kw: Any) -> MusicClient:
    """A client for MiniMax; the key and region fall back to MINIMAX_API_KEY / MINIMAX_BASE_URL."""
    base = config.REGIONS.get(region or "", None)
    return MusicClient(api_key=api_key or None, base_url=base, provider=NAME, **kw)


def _title(access: Access) -> str:
    region = access.region or config.ClientSettings.resolve(None).region
    return f"MiniMax ({REGION_LABELS.get(region, region)})"


PROVIDER = Provider(
    name=NAME,
    label="MiniMax",
    badge="MiniMax",
    can=Capabilities(music01=True),
    connect=lambda access: minimax_client(access.key or None, access.region or None),
    key_env=config.ENV_API_KEY,
    url_env=config.ENV_BASE_URL,
    default_concurrency=20,  # MiniMax runs up to 20 songs at once on a paid key (contract §10)
    title=_title,
    way_on="MiniMax direct (a key whose plan includes the model)",
)
