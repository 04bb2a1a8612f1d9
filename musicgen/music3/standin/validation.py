"""The engine's request rules, as strict as the real one: what it refuses is refused here, naming the field.

From the engine's contract (sglang-omni's MiniMax Music 3 cookbook): `input` (lyrics) and `instructions` (caption)
are required and non-empty; `seed` is a non-negative 64-bit integer; `max_new_tokens` caps the song at 25 frames a
second, at most 9000; `response_format` is the container; `stream` must be false; `speed` only 1.0; the sampling,
voice and reference fields are refused, not ignored; caption + lyrics are at most 5,000 tokens after cleaning.
"""

from __future__ import annotations

import re
from typing import Any

ACCEPTED = frozenset({"model", "input", "instructions", "seed", "max_new_tokens", "response_format", "stream", "speed"})
REFUSED = {
    "temperature": "sampling is fixed (guidance, then top-k 50 with a seeded draw)",
    "top_p": "sampling is fixed (guidance, then top-k 50 with a seeded draw)",
    "top_k": "sampling is fixed (guidance, then top-k 50 with a seeded draw)",
    "repetition_penalty": "sampling is fixed (guidance, then top-k 50 with a seeded draw)",
    "voice": "there is no speaker to select; the vocal comes from the caption",
    "ref_audio": "no reference-audio conditioning",
    "ref_text": "no reference-audio conditioning",
    "language": "no language tag in this contract",
    "task_type": "no task type in this contract",
}
MAX_NEW_TOKENS = 9000
SEED_MAX = 2**64 - 1
PROMPT_TOKENS_MAX = 5000
FORMATS = ("wav",)  # the stand-in renders WAV only; the client never asks for anything else
_TOKEN = re.compile(r"\w+|[^\w\s]")


class RequestRefused(ValueError):
    """A request the engine refuses: HTTP `status` with a message naming the field."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def tokens(text: str) -> int:
    """A rough token count (words and punctuation marks), standing in for the engine's tokenizer."""
    return len(_TOKEN.findall(text))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check(payload: Any, served_model: str) -> dict[str, Any]:
    """The request's values with the engine's defaults filled in; RequestRefused for anything it refuses."""
    if not isinstance(payload, dict):
        raise RequestRefused("the request body must be a JSON object")
    for name in payload:
        if name in REFUSED:
            raise RequestRefused(f"{name} is not supported by MiniMax Music 3: {REFUSED[name]}", name)
        if name not in ACCEPTED:
            raise RequestRefused(f"{name} is not a field of this API", name)
    model = payload.get("model", served_model)
    if model != served_model:
        raise RequestRefused(f"The model `{model}` does not exist (this server serves {served_model})", "model", 404)
    for name in ("input", "instructions"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            what = "the lyrics" if name == "input" else "the caption"
            raise RequestRefused(f"{name} is required and must be a non-empty string ({what})", name)
    seed = payload.get("seed", 0)
    if not _is_int(seed) or not 0 <= seed <= SEED_MAX:
        raise RequestRefused(f"seed must be a non-negative 64-bit integer, got {seed!r}", "seed")
    cap = payload.get("max_new_tokens", MAX_NEW_TOKENS)
    if not _is_int(cap) or not 1 <= cap <= MAX_NEW_TOKENS:
        raise RequestRefused(
            f"max_new_tokens must be an integer from 1 to {MAX_NEW_TOKENS}, got {cap!r}", "max_new_tokens"
        )
    fmt = payload.get("response_format", "wav")
    if fmt not in FORMATS:
        raise RequestRefused(f"response_format must be one of {list(FORMATS)}, got {fmt!r}", "response_format")
    if payload.get("stream", False) is not False:
        raise RequestRefused("stream must be false: this model's API is not streaming", "stream")
    speed = payload.get("speed", 1.0)
    if speed != 1.0 or isinstance(speed, bool):
        raise RequestRefused("speed must be 1.0: put the tempo in the caption, e.g. 'at 92 BPM'", "speed")
    used = tokens(payload["input"]) + tokens(payload["instructions"])
    if used > PROMPT_TOKENS_MAX:
        raise RequestRefused(
            f"input and instructions together are {used} tokens; the limit is {PROMPT_TOKENS_MAX}", "input"
        )
    return {"model": model, "input": payload["input"], "instructions": payload["instructions"], "seed": seed,
            "max_new_tokens": cap}  # fmt: skip
