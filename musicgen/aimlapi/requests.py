"""What the AI/ML API proxy accepts: its model ids and the body of POST /v2/generate/audio, checked before sending.

The proxy offers songs with vocals only (minimax/music-2.0, minimax/music-2.6): no instrumentals, covers, lyrics
writing or watermark. Requests asking for those are refused here, naming each field, before any call.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from ..requests import MusicRequest, is_cover_model

PROMPT_MIN, PROMPT_MAX = 10, 2000
LYRICS_MIN, LYRICS_MAX = 10, 3000
MODELS = {"music-2.6": "minimax/music-2.6", "music-2.0": "minimax/music-2.0"}
DEFAULT_MODEL = "music-2.6"  # for a request that leaves the model out (MiniMax's default, music-3.0, is not here)
ELSEWHERE = "use MiniMax direct (provider minimax) or the offline demo engine"


def proxy_model(model: str) -> str | None:
    """The proxy's id for a model name ('music-2.6' -> 'minimax/music-2.6'), or None if it offers no such model."""
    return model if model.startswith("minimax/") else MODELS.get(model)


def with_proxy_model(request: MusicRequest) -> MusicRequest:
    """The request with the proxy's default model when it left the model out (pydantic knows which fields were set)."""
    return request if "model" in request.model_fields_set else request.model_copy(update={"model": DEFAULT_MODEL})


def proxy_payload(request: MusicRequest) -> dict:
    """The POST /v2/generate/audio body; raises pydantic's ValidationError naming each field the proxy cannot take."""
    request = with_proxy_model(request)
    body, model = request.payload(), request.model
    problems: list[tuple[str, Any, str]] = []  # (field, value, what is wrong)
    if is_cover_model(model):
        problems.append(("model", model, f"covers are not offered through the AI/ML API; {ELSEWHERE}"))
    elif proxy_model(model) is None:
        problems.append(("model", model, f"{model} is not offered through the AI/ML API; use {' or '.join(MODELS)}"))
    if request.is_instrumental:
        problems.append(("is_instrumental", True, f"instrumentals are not offered through the AI/ML API; {ELSEWHERE}"))
    if request.lyrics_optimizer:
        problems.append(("lyrics_optimizer", True, f"the AI/ML API does not write lyrics: give them, or {ELSEWHERE}"))
    if request.aigc_watermark:
        problems.append(("aigc_watermark", True, "the AI/ML API has no watermark option"))
    texts = [("prompt", body.get("prompt", ""), PROMPT_MIN, PROMPT_MAX)]
    if not (request.is_instrumental or request.lyrics_optimizer or is_cover_model(model)):
        texts.append(("lyrics", body.get("lyrics", ""), LYRICS_MIN, LYRICS_MAX))
    for name, text, lo, hi in texts:
        if not lo <= len(text) <= hi:
            problems.append((name, text, f"must be {lo}–{hi} characters through the AI/ML API (it has {len(text)})"))
    if problems:
        lines = [
            {"type": PydanticCustomError("aimlapi", msg.replace("{", "(").replace("}", ")")), "loc": (f,), "input": v}
            for f, v, msg in problems
        ]
        raise ValidationError.from_exception_data("AI/ML API request", lines)  # type: ignore[arg-type]
    setting = request.audio_setting.model_dump()
    return {"model": proxy_model(model), "prompt": body["prompt"], "lyrics": body["lyrics"], "audio_setting": setting}
