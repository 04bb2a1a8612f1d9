"""MiniMax Music 3 on your own GPU: the client of a sglang-omni server (client.py) and its local stand-in (standin/)."""

from .client import (
    DOWN_HINT,
    HINTS,
    PROVIDER,
    Health,
    Music3Client,
    Music3Request,
    check_server_url,
    configured_url,
    frames_for,
    instrumental_caption,
    read_timeout_from_env,
    visitor_servers_allowed,
)

__all__ = [
    "DOWN_HINT", "HINTS", "PROVIDER", "Health", "Music3Client", "Music3Request", "check_server_url",
    "configured_url", "frames_for", "instrumental_caption", "read_timeout_from_env", "visitor_servers_allowed",
]  # fmt: skip
