"""Getting a cover's reference audio (base64, a loopback URL or a feature id) and checking its limits (§3, §6)."""

from __future__ import annotations

import base64
import binascii
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import httpx

from .. import netguard
from .encoding import probe_duration
from .storage import ExpiringStore
from .validation import ParamError

MAX_REFERENCE_BYTES = 50 * 1024 * 1024
MIN_REFERENCE_S = 6.0
MAX_REFERENCE_S = 360.0
FETCH_TIMEOUT_S = 30.0
# Tests switch on `fetch_local` to have URLs served by local processes (the stand-in's own /files, a test server)
# read; the studio's demo engine never does, and fetches only public addresses (musicgen/netguard.py).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _invalid(msg: str) -> ParamError:
    return ParamError(f"invalid params, {msg}")


def decode_base64(value: str) -> bytes:
    """Decode audio_base64 (whitespace tolerated); raises ParamError naming the field."""
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid("audio_base64 is not valid base64") from exc


def fetch(url: str, *, local: bool = False) -> bytes:
    """Download audio_url: from this machine only when `local` (tests), else from public addresses only."""
    if local:
        return fetch_local(url)
    try:
        return netguard.fetch(url, max_bytes=MAX_REFERENCE_BYTES, timeout_s=FETCH_TIMEOUT_S)
    except netguard.BlockedURL as exc:
        raise _invalid(f"audio_url was refused: {exc}") from exc
    except (httpx.HTTPError, OSError) as exc:
        raise _invalid(f"audio_url could not be downloaded ({exc})") from exc


def fetch_local(url: str, timeout_s: float = FETCH_TIMEOUT_S) -> bytes:
    """Download audio_url if it points at this machine; raises ParamError otherwise or on failure."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise _invalid(f"audio_url could not be downloaded: the stand-in only fetches 127.0.0.1 URLs (got {url!r})")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.read(MAX_REFERENCE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _invalid(f"audio_url could not be downloaded (HTTP {exc.code})") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise _invalid(f"audio_url could not be downloaded ({exc})") from exc


def check_reference(audio: bytes, field: str) -> float:
    """Enforce the reference limits (≤50 MB, decodable, 6 s – 6 min); returns the duration in seconds."""
    if len(audio) > MAX_REFERENCE_BYTES:
        raise _invalid(f"{field}: reference audio must be at most 50 MB (got {len(audio) / 1e6:.1f} MB)")
    seconds = probe_duration(audio)
    if seconds is None:
        raise _invalid(f"{field}: reference audio could not be decoded (use mp3, wav, flac or ogg)")
    if not MIN_REFERENCE_S <= seconds <= MAX_REFERENCE_S:
        raise _invalid(f"{field}: reference audio must be 6 s to 6 min long (got {seconds:.1f} s)")
    return seconds


def load_reference(field: str, value: str, features: ExpiringStore[bytes], *, local: bool = False) -> bytes:
    """The reference bytes named by one of audio_base64 / audio_url / cover_feature_id; raises ParamError."""
    if field == "cover_feature_id":
        audio = features.get(value)
        if audio is None:
            raise _invalid("cover_feature_id not found or expired")
        return audio
    audio = decode_base64(value) if field == "audio_base64" else fetch(value, local=local)
    check_reference(audio, field)
    return audio
