"""Server-side request rules of the Music API (contract §3, §6, §7), answered as 2013 'invalid params'."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SAMPLE_RATES = (16000, 24000, 32000, 44100)
BITRATES = (32000, 64000, 128000, 256000)
FORMATS = ("mp3", "wav", "pcm")
OUTPUT_FORMATS = ("hex", "url")
LYRICS_MODES = ("write_full_song", "edit")
DEFAULT_AUDIO_SETTING = {"sample_rate": 44100, "bitrate": 256000, "format": "mp3", "channel": 2}
DEFAULT_RETIRED_MODELS = frozenset({"music-01", "music-1.5", "music-2.0"})
REFERENCE_FIELDS = ("audio_url", "audio_base64", "cover_feature_id")
# Fields about delivery, not content: left out of what the renderer sees so stream and non-stream requests for the
# same song render (and cache) identically; the reference fields are replaced by the reference bytes.
TRANSPORT_FIELDS = frozenset({"stream", "output_format", "aigc_watermark", *REFERENCE_FIELDS})


class ParamError(ValueError):
    """A request the real API would refuse with base_resp 2013; the message names the field."""

    code = 2013

    def __init__(self, message: str, http_status: int = 200) -> None:
        super().__init__(message)
        self.http_status = http_status  # MiniMax answers 200; a community server 400


# A MiniMax-compatible community server in front of the Music 3 engine (music3-selfhosted.md): what it refuses
# (HTTP 400, 2013, naming the field), and what it answers when no audio_setting asks otherwise.
COMMUNITY_MODEL = "music-3.0"
COMMUNITY_REFUSED_FLAGS = ("stream", "lyrics_optimizer", "is_instrumental", "aigc_watermark")
COMMUNITY_AUDIO = {"format": "wav", "sample_rate": 32000}
MAX_NEW_TOKENS = 9000  # 25 audio frames a second: six minutes


def check_community(payload: Any) -> dict[str, Any]:
    """Refuse what a community server cannot do (HTTP 400 + 2013 naming the field); returns the payload as the
    MiniMax rules then see it (its default audio: 32 kHz WAV). Raises ParamError."""
    if not isinstance(payload, dict):
        raise ParamError("invalid params, request body must be a JSON object", 400)
    for name in COMMUNITY_REFUSED_FLAGS:
        if payload.get(name):
            raise ParamError(f"invalid params, {name} is not supported by this server", 400)
    for name in REFERENCE_FIELDS:
        if payload.get(name):
            raise ParamError(f"invalid params, {name} is not supported by this server (no covers)", 400)
    if payload.get("model") != COMMUNITY_MODEL:
        raise ParamError(f"invalid params, model {payload.get('model')} not support; use {COMMUNITY_MODEL}", 400)
    tokens = payload.get("max_new_tokens")
    if tokens is not None and (
        not isinstance(tokens, int) or isinstance(tokens, bool) or not 1 <= tokens <= MAX_NEW_TOKENS
    ):
        raise ParamError(f"invalid params, max_new_tokens must be an integer 1-{MAX_NEW_TOKENS}", 400)
    return {**payload, "audio_setting": payload.get("audio_setting") or COMMUNITY_AUDIO}


@dataclass(frozen=True)
class MusicJob:
    """A validated music_generation request, split into what to render and how to deliver it."""

    model: str
    is_cover: bool
    stream: bool
    output_format: str
    fmt: str
    sample_rate: int
    bitrate: int
    channels: int
    render_payload: dict[str, Any] = field(default_factory=dict)
    reference_field: str | None = None  # which of REFERENCE_FIELDS carries the reference (covers only)
    reference_value: str | None = None


def _invalid(msg: str) -> ParamError:
    return ParamError(f"invalid params, {msg}")


def _text(payload: dict[str, Any], name: str) -> str:
    """A string field, with absent/null read as ''."""
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a string")
    return value


def _flag(payload: dict[str, Any], name: str) -> bool:
    value = payload.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(f"{name} must be a boolean")
    return value


def _length(name: str, value: str, low: int, high: int, why: str = "") -> None:
    if not low <= len(value) <= high:
        suffix = f" {why}" if why else ""
        raise _invalid(f"{name} length must be {low}-{high} characters{suffix} (got {len(value)})")


def _audio_setting(payload: dict[str, Any]) -> dict[str, Any]:
    raw = payload.get("audio_setting")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _invalid("audio_setting must be an object")
    setting = {**DEFAULT_AUDIO_SETTING, **{k: v for k, v in raw.items() if v is not None}}
    for name, allowed in (("sample_rate", SAMPLE_RATES), ("bitrate", BITRATES), ("format", FORMATS)):
        if setting[name] not in allowed or isinstance(setting[name], bool):
            choices = ", ".join(str(a) for a in allowed)
            raise _invalid(f"audio_setting.{name} must be one of {choices} (got {setting[name]!r})")
    if setting["channel"] not in (1, 2) or isinstance(setting["channel"], bool):
        raise _invalid(f"audio_setting.channel must be 1 or 2 (got {setting['channel']!r})")
    return setting


def check_model(payload: dict[str, Any], retired: frozenset[str] | set[str]) -> str:
    """Return the model name or raise: required, not retired, and looks like a music model."""
    model = payload.get("model")
    if model is None or model == "":
        raise _invalid("model is required")
    if not isinstance(model, str):
        raise _invalid("model must be a string")
    if model in retired:
        raise ParamError(f"model {model} is no longer supported")
    if not model.startswith("music-"):
        raise _invalid(f"model {model} not support")
    return model


def _check_text_model(payload: dict[str, Any], model: str) -> None:
    for name in REFERENCE_FIELDS:
        if _text(payload, name):
            raise _invalid(f"{name} is only supported by cover models (music-cover*), not {model}")
    prompt, lyrics = _text(payload, "prompt"), _text(payload, "lyrics")
    instrumental, optimizer = _flag(payload, "is_instrumental"), _flag(payload, "lyrics_optimizer")
    _length("prompt", prompt, 0, 2000)
    if instrumental and optimizer:
        raise _invalid("lyrics_optimizer cannot be combined with is_instrumental")
    if instrumental or optimizer:
        flag = "is_instrumental" if instrumental else "lyrics_optimizer"
        if lyrics:
            raise _invalid(f"lyrics must be empty when {flag} is true")
        _length("prompt", prompt, 1, 2000, f"when {flag} is true")
        return
    _length("lyrics", lyrics, 1, 3500, "(required unless is_instrumental or lyrics_optimizer is true)")


def _check_cover_model(payload: dict[str, Any]) -> tuple[str, str]:
    for name in ("is_instrumental", "lyrics_optimizer"):
        if _flag(payload, name):
            raise _invalid(f"{name} is not supported by cover models")
    _length("prompt", _text(payload, "prompt"), 10, 300, "for cover models")
    given = [name for name in REFERENCE_FIELDS if _text(payload, name)]
    if len(given) != 1:
        raise _invalid(
            "exactly one of audio_url, audio_base64, cover_feature_id is required for cover models"
            + (f" (got {', '.join(given)})" if given else "")
        )
    lyrics = _text(payload, "lyrics")
    if given[0] == "cover_feature_id":
        _length("lyrics", lyrics, 10, 1000, "when cover_feature_id is given")
    elif lyrics:
        _length("lyrics", lyrics, 10, 1000, "for cover models")
    return given[0], payload[given[0]]


def validate_music(payload: Any, retired: frozenset[str] | set[str] = DEFAULT_RETIRED_MODELS) -> MusicJob:
    """Check a music_generation body like the real API and split it into a MusicJob; raises ParamError."""
    if not isinstance(payload, dict):
        raise _invalid("request body must be a JSON object")
    model = check_model(payload, retired)
    stream = _flag(payload, "stream")
    _flag(payload, "aigc_watermark")
    output_format = payload.get("output_format") or "hex"
    if output_format not in OUTPUT_FORMATS:
        raise _invalid(f"output_format must be hex or url (got {output_format!r})")
    if stream and output_format != "hex":
        raise _invalid("output_format must be hex when stream is true")
    setting = _audio_setting(payload)
    is_cover = model.startswith("music-cover")
    reference_field = reference_value = None
    if is_cover:
        reference_field, reference_value = _check_cover_model(payload)
    else:
        _check_text_model(payload, model)
    seed = payload.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= 1_000_000):
        raise _invalid("seed must be an integer 0-1000000")
    render_payload = {k: v for k, v in payload.items() if k not in TRANSPORT_FIELDS}
    render_payload["audio_setting"] = setting
    return MusicJob(
        model=model,
        is_cover=is_cover,
        stream=stream,
        output_format=output_format,
        fmt=setting["format"],
        sample_rate=setting["sample_rate"],
        bitrate=setting["bitrate"],
        channels=setting["channel"],
        render_payload=render_payload,
        reference_field=reference_field,
        reference_value=reference_value,
    )


def validate_preprocess(payload: Any) -> tuple[str, str]:
    """Check a music_cover_preprocess body; returns (reference field, its value); raises ParamError."""
    if not isinstance(payload, dict):
        raise _invalid("request body must be a JSON object")
    model = payload.get("model")
    if model != "music-cover":
        raise _invalid(f"model must be music-cover for music_cover_preprocess (got {model!r})")
    if _text(payload, "cover_feature_id"):
        raise _invalid("cover_feature_id is not accepted by music_cover_preprocess")
    given = [name for name in ("audio_url", "audio_base64") if _text(payload, name)]
    if len(given) != 1:
        raise _invalid("exactly one of audio_url, audio_base64 is required")
    return given[0], payload[given[0]]


def validate_lyrics(payload: Any) -> dict[str, Any]:
    """Check a lyrics_generation body; returns it with defaults filled; raises ParamError."""
    if not isinstance(payload, dict):
        raise _invalid("request body must be a JSON object")
    mode = payload.get("mode")
    if mode not in LYRICS_MODES:
        raise _invalid(f"mode must be write_full_song or edit (got {mode!r})")
    prompt, lyrics, title = _text(payload, "prompt"), _text(payload, "lyrics"), _text(payload, "title")
    _length("prompt", prompt, 0, 2000)
    _length("lyrics", lyrics, 0, 3500)
    if mode == "edit" and not lyrics:
        raise _invalid("lyrics is required when mode is edit")
    return {**payload, "mode": mode, "prompt": prompt, "lyrics": lyrics, "title": title}
