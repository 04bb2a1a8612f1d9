"""Where the library lives and the limits read from the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_MAX_BYTES_PER_OWNER = 2 * 1024**3
ENV_DATA_DIR = "MUSICGEN_DATA_DIR"
ENV_MAX_BYTES = "MUSICGEN_LIBRARY_MAX_BYTES"
ENV_MAX_AGE_DAYS = "MUSICGEN_LIBRARY_MAX_AGE_DAYS"
# Hugging Face Spaces mount persistent storage here; the container disk is wiped on every restart.
SPACE_DATA_ROOT = Path("/data")


def resolve_data_dir() -> Path:
    """Return the data dir: $MUSICGEN_DATA_DIR, else /data/musicgen on a Space, else the per-user dir."""
    explicit = os.environ.get(ENV_DATA_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    space = SPACE_DATA_ROOT
    if space.is_dir() and os.access(space, os.W_OK | os.X_OK):
        return space / "musicgen"
    return _user_data_dir() / "musicgen"


def _user_data_dir() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(local) if local else home / "AppData" / "Local"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says relative values are invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    return home / ".local" / "share"


def max_bytes_from_env(default: int = DEFAULT_MAX_BYTES_PER_OWNER) -> int:
    """Return the per-owner cap in bytes from $MUSICGEN_LIBRARY_MAX_BYTES (0 = no cap)."""
    raw = os.environ.get(ENV_MAX_BYTES, "").strip()
    if not raw:
        return default
    try:
        value = int(float(raw))
    except ValueError:
        raise ValueError(f"{ENV_MAX_BYTES}={raw!r} is not a number of bytes (use e.g. 2147483648)") from None
    if value < 0:
        raise ValueError(f"{ENV_MAX_BYTES} must be >= 0 (0 means no cap), got {raw!r}")
    return value


def max_age_days_from_env(default: float = 0.0) -> float:
    """Return the age limit in days from $MUSICGEN_LIBRARY_MAX_AGE_DAYS (0 = keep forever)."""
    raw = os.environ.get(ENV_MAX_AGE_DAYS, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_MAX_AGE_DAYS}={raw!r} is not a number of days (use e.g. 30)") from None
    if value < 0 or value != value:
        raise ValueError(f"{ENV_MAX_AGE_DAYS} must be >= 0 (0 means keep forever), got {raw!r}")
    return value
