"""Make request parameters and metadata safe to store: JSON-able, and never holding a credential."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

# Words that mark a field as a credential. Matched per word so "max_tokens" or "keyframes" survive
# while "api_key", "apiKey", "X-Api-Key", "authorization" and "hf_token" are dropped.
_SECRET_WORDS = frozenset(
    [
        "key",
        "apikey",
        "token",
        "authorization",
        "auth",
        "secret",
        "password",
        "passwd",
        "bearer",
        "cookie",
        "credential",
        "credentials",
        "signature",
        "session",
    ]
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Only a single opaque credential after the scheme, so a prompt like "Basic rock beat" survives.
_BEARER = re.compile(r"^\s*(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{16,}\s*$", re.IGNORECASE)
_MAX_DEPTH = 20


def is_secret_name(name: str) -> bool:
    """Return True when a field name looks like it holds a credential."""
    words = _WORD_SPLIT.split(_CAMEL.sub("_", name).lower())
    return any(word in _SECRET_WORDS for word in words) or "apikey" in name.lower().replace("_", "")


def scrub(value: Any, _depth: int = 0) -> Any:
    """Return a JSON-able deep copy of value with every credential-like field removed."""
    if _depth > _MAX_DEPTH:
        return "<nested too deep>"
    if isinstance(value, dict):
        clean: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if is_secret_name(name):
                continue
            clean[name] = scrub(item, _depth + 1)
        return clean
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(item, _depth + 1) for item in value]
    if isinstance(value, str):
        # A value shaped like an Authorization header is a credential whatever its field is called.
        return "<redacted>" if _BEARER.match(value) else value
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        # NaN/inf are not valid JSON; keep the row loadable by any JSON reader.
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        # Raw bytes (e.g. a reference clip for a cover) do not belong in the index; note their size.
        return f"<{len(value)} bytes>"
    if isinstance(value, PurePath):
        return str(value)
    return str(value)


_FORMAT = re.compile(r"^[a-z0-9]{1,8}$")
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TITLE_MAX_CHARS = 120


def clean_format(audio_format: str) -> str:
    """Return a lower-case audio format safe to use as a file extension (e.g. "mp3")."""
    fmt = str(audio_format or "").strip().lower().lstrip(".")
    if not _FORMAT.match(fmt):
        raise ValueError(f"audio_format must be a short extension like 'mp3', 'wav' or 'pcm', got {audio_format!r}")
    return fmt


def clean_label(value: str, what: str) -> str:
    """Return a short identifier-like label (kind, provider), or raise ValueError."""
    text = str(value or "").strip()
    if not _LABEL.match(text):
        raise ValueError(f"{what} must be a short name like 'song' or 'minimax', got {value!r}")
    return text


def text_of(value: Any) -> str:
    """Return value if it is a string, else an empty string (prompt/lyrics taken from params)."""
    return value if isinstance(value, str) else ""


def derive_title(title: str, prompt: str, lyrics: str, kind: str) -> str:
    """Return the given title, or one made from the prompt or first lyric line, trimmed to one line."""
    for source in (title, prompt, lyrics):
        for line in str(source or "").splitlines():
            # Skip section tags like "[Verse]" so a lyric-only song is named after its first sung line.
            line = " ".join(line.split())
            if line and not (line.startswith("[") and line.endswith("]")):
                return line if len(line) <= TITLE_MAX_CHARS else line[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return f"Untitled {kind}"


def duration_seconds(explicit: float | None, metadata: dict[str, Any]) -> float | None:
    """Return the song length in seconds from the explicit value or the metadata, if known."""
    # Seconds are preferred; "duration_ms" (MiniMax reports milliseconds) is converted.
    candidates = (
        (explicit, 1.0),
        (metadata.get("duration_s"), 1.0),
        (metadata.get("duration_ms"), 0.001),
        (metadata.get("duration"), 1.0),
    )
    for value, scale in candidates:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value) * scale
    return None
