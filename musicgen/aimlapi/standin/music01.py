"""The legacy music-01 side of the stand-in: reference uploads (multipart) and generation from their ids."""

from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import soundfile as sf

PURPOSES = ("song", "voice", "instrumental")
UPLOAD_SECONDS = (10.0, 600.0)
UPLOAD_FORMATS = ("WAV", "MP3")
DIRECT_LYRICS_MAX = 200  # MiniMax's old music-01 page
PROXY_LYRICS_MAX = 600  # the AI/ML API's music-01 schema
MUSIC01_FIELDS = frozenset({"model", "lyrics", "refer_voice", "refer_instrumental", "refer_vocal", "audio_setting"})


class Music01Error(ValueError):
    """A music-01 request or upload the service would refuse; the message is the one it would give."""


@dataclass(frozen=True)
class Upload:
    """One received reference upload, as the form described it."""

    purpose: str
    filename: str
    content_type: str
    size: int
    duration_s: float


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """Split a multipart/form-data body into text fields and files (name -> (filename, content type, bytes))."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise Music01Error("invalid params, the upload must be multipart/form-data")
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = data.decode("utf-8", "replace")
        else:
            files[str(name)] = (filename, part.get_content_type(), data)
    return fields, files


def check_upload(content_type: str, body: bytes) -> Upload:
    """Validate a /v1/music_upload form: purpose, and a wav/mp3 file of 10 s - 10 min; raises Music01Error."""
    fields, files = parse_form(content_type, body)
    purpose = fields.get("purpose", "")
    if purpose not in PURPOSES:
        raise Music01Error(f"invalid params, purpose must be one of {', '.join(PURPOSES)}")
    if "file" not in files:
        raise Music01Error("invalid params, file is required")
    filename, ctype, data = files["file"]
    try:
        info = sf.info(io.BytesIO(data))
    except Exception:  # libsndfile raises several types; all mean "not audio"
        raise Music01Error("invalid params, file could not be decoded as wav or mp3") from None
    if info.format not in UPLOAD_FORMATS:
        raise Music01Error(f"invalid params, file must be wav or mp3 (got {info.format})")
    duration = info.frames / info.samplerate
    lo, hi = UPLOAD_SECONDS
    if not lo <= duration <= hi:
        raise Music01Error(f"invalid params, audio must be 10 s - 10 min long (got {duration:.1f} s)")
    return Upload(purpose, filename, ctype, len(data), duration)


def new_ids(purpose: str) -> dict[str, str]:
    """The ids an upload returns: a song gives both, a voice or an instrumental gives its own."""
    stamp = time.strftime("%Y%m%d%H%M%S") + "00"
    ids = {}
    if purpose in ("song", "voice"):
        ids["voice_id"] = f"vocal-{stamp}-{secrets.token_urlsafe(6)}"
    if purpose in ("song", "instrumental"):
        ids["instrumental_id"] = f"instrumental-{stamp}-{secrets.token_urlsafe(6)}"
    return ids


def check_music01(payload: Any, known_ids: set[str], lyrics_max: int) -> dict[str, Any]:
    """Validate a music-01 generation body against the ids uploaded so far; returns it, raises Music01Error."""
    if not isinstance(payload, dict):
        raise Music01Error("invalid params, body must be a JSON object")
    extra = sorted(set(payload) - MUSIC01_FIELDS)
    if extra:
        raise Music01Error(f"invalid params, unknown field {extra[0]}")
    voice, inst = payload.get("refer_voice"), payload.get("refer_instrumental")
    if not voice and not inst:
        raise Music01Error("invalid params, at least one of refer_voice or refer_instrumental is required")
    for name, value, prefix in (("refer_voice", voice, "vocal-"), ("refer_instrumental", inst, "instrumental-")):
        if value and (not str(value).startswith(prefix) or value not in known_ids):
            raise Music01Error(f"invalid params, {name} {value!r} is not an uploaded id")
    lyrics = payload.get("lyrics")
    if not isinstance(lyrics, str) or not lyrics.strip():
        raise Music01Error("invalid params, lyrics is required")
    if len(lyrics) > lyrics_max:
        raise Music01Error(f"invalid params, lyrics must be at most {lyrics_max} characters (got {len(lyrics)})")
    if payload.get("refer_vocal") and not (voice and inst):
        raise Music01Error("invalid params, refer_vocal needs refer_voice, refer_instrumental and lyrics")
    return payload
